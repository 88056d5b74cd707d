import { ApiClient } from "./api-client.js";
import { assertOptions, parseCommandLine, type CommandLine } from "./args.js";
import { commands } from "./commands/index.js";
import { withDevhostKey } from "./devhost-key.js";
import { ApiError, CliError, UsageError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { Output } from "./output.js";
import { commandUsage, usageText } from "./usage.js";

/**
 * Runs one `lucius` command line; resolves with the exit code. Never throws: every failure
 * becomes a one-line `error: …` on stderr (and, with `--json`, an `{ "error": … }` document).
 */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, out?: Output): Promise<ExitCode> {
  let line: CommandLine | undefined;
  let output = out ?? new Output(argv.includes("--json"));
  try {
    line = parseCommandLine(argv, env);
    output = out ?? new Output(line.json);
    if (!line.command) {
      if (line.help) {
        output.stdout.write(`${usageText(commands)}\n`);
        return ExitCode.ok;
      }
      throw new UsageError("no command given");
    }
    const command = commands.find((c) => c.name === line!.command);
    if (!command) throw new UsageError(`unknown command "${line.command}"`);
    if (line.help) {
      output.stdout.write(`${commandUsage(command)}\n`);
      return ExitCode.ok;
    }
    assertOptions(line, command.name, command.options);
    const connection = await withDevhostKey(line.connection, undefined, env);
    return await command.run({ line, api: new ApiClient({ baseUrl: connection.api, ...connection }), out: output, env });
  } catch (error) {
    return report(error, output, line?.verbose ?? argv.includes("--verbose"));
  }
}

function report(error: unknown, out: Output, verbose: boolean): ExitCode {
  const known = error instanceof CliError ? error : undefined;
  const exitCode = known?.exitCode ?? ExitCode.serverError;
  const message = known ? known.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
  out.stderr.write(`error: ${message}\n`);
  if (error instanceof UsageError) out.stderr.write("(lucius --help lists the commands and options)\n");
  const problem = error instanceof ApiError ? error.problem : undefined;
  if (verbose && problem) out.stderr.write(`${JSON.stringify(problem, null, 2)}\n`);
  if (verbose && !known && error instanceof Error && error.stack) out.stderr.write(`${error.stack}\n`);
  if (out.json) {
    const status = error instanceof ApiError ? error.status : undefined;
    out.stdout.write(
      `${JSON.stringify({ error: { message, exit_code: exitCode, ...(status ? { status } : {}), ...(problem ? { problem } : {}) } }, null, 2)}\n`,
    );
  }
  return exitCode;
}
