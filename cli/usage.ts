import type { Command } from "./commands/index.js";
import { ExitCode } from "./exit-codes.js";

const globalHelp = `options for every command:
  --api URL        the Lucius API (default: LUCIUS_API_URL, else http://localhost:7071)
  --api-key KEY    sent as x-api-key (default: LUCIUS_API_KEY)
  --token TOKEN    sent as Authorization: Bearer (default: LUCIUS_TOKEN)
  --json           one JSON document on stdout, nothing else (progress goes to stderr)
  -v, --verbose    on errors, the API's whole problem document
  -h, --help       this help`;

const exitHelp = `exit codes: ${ExitCode.ok} ok · ${ExitCode.jobUnsuccessful} job FAILED/CANCELLED (--watch) · ${ExitCode.usage} usage error · ${ExitCode.clientError} request refused (4xx) · ${ExitCode.notFound} not found · ${ExitCode.serverError} server or network error`;

export function usageText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: lucius <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    globalHelp,
    "",
    exitHelp,
    "",
    "lucius <command> --help shows a command's options; docs/cli.md has the details.",
  ].join("\n");
}

export function commandUsage(command: Command): string {
  return [`usage: lucius ${command.usage}`, "", command.summary, "", globalHelp].join("\n");
}
