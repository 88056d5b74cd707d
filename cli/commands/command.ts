import type { ApiClient } from "../api-client.js";
import type { CommandLine, OptionName } from "../args.js";
import type { ExitCode } from "../exit-codes.js";
import type { Output } from "../output.js";

export interface CommandContext {
  line: CommandLine;
  api: ApiClient;
  out: Output;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The synopsis after `lucius `. */
  usage: string;
  /** Options beyond the global ones. */
  options: readonly OptionName[];
  run(context: CommandContext): Promise<ExitCode>;
}
