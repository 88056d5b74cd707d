import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

type Env = Record<string, string | undefined>;

/** Options every command accepts. */
export const globalOptionNames = ["api", "api-key", "token", "json", "verbose", "help"] as const;

/**
 * Every option of every command, parsed in one pass so options may come before or after the
 * command; each command then accepts only its own ({@link assertOptions}).
 */
const optionSpecs = {
  api: { type: "string" },
  "api-key": { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  "request-type": { type: "string" },
  tenant: { type: "string" },
  output: { type: "string" },
  payload: { type: "string" },
  "idempotency-key": { type: "string" },
  "content-type": { type: "string" },
  storage: { type: "string" },
  watch: { type: "boolean" },
  state: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean" },
  topic: { type: "string" },
  subscription: { type: "string" },
  devhost: { type: "boolean" },
  namespace: { type: "string" },
  "keep-id": { type: "boolean" },
  yes: { type: "boolean" },
  comment: { type: "string" },
  deadline: { type: "string" },
} satisfies NonNullable<ParseArgsConfig["options"]>;

export type OptionName = keyof typeof optionSpecs;
export type OptionValues = { [K in OptionName]?: (typeof optionSpecs)[K]["type"] extends "boolean" ? boolean : string };

/** Where the API is and how to authenticate, from flags, then the environment. */
export interface Connection {
  /** @default LUCIUS_API_URL, else http://localhost:7071 */
  api: string;
  /** @default LUCIUS_API_KEY */
  apiKey?: string;
  /** @default LUCIUS_TOKEN */
  token?: string;
  /** devhost's key for its `/_devhost/…` routes; read from devhost's state folder for a loopback API. */
  devhostKey?: string;
}

export interface CommandLine {
  /** The first positional, e.g. `submit`; undefined when none was given. */
  command?: string;
  /** Positionals after the command. */
  positionals: string[];
  values: OptionValues;
  /** Options actually written on the command line (by long name). */
  given: Set<OptionName>;
  connection: Connection;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

export const defaultApiUrl = "http://localhost:7071";

export function parseCommandLine(argv: string[], env: Env): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpecs, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const values = parsed.values as OptionValues;
  const given = new Set(parsed.tokens.flatMap((t) => (t.kind === "option" ? [t.name as OptionName] : [])));
  const [command, ...positionals] = parsed.positionals;
  const connection: Connection = {
    api: values.api ?? nonEmpty(env.LUCIUS_API_URL) ?? defaultApiUrl,
    ...optional("apiKey", values["api-key"] ?? nonEmpty(env.LUCIUS_API_KEY)),
    ...optional("token", values.token ?? nonEmpty(env.LUCIUS_TOKEN)),
  };
  if (!isHttpUrl(connection.api)) {
    throw new UsageError(`--api must be an absolute http(s) URL, not "${connection.api}"`);
  }
  return {
    ...(command !== undefined ? { command } : {}),
    positionals,
    values,
    given,
    connection,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    help: values.help ?? false,
  };
}

/** Refuses options the command does not take, naming them. */
export function assertOptions(line: CommandLine, command: string, allowed: readonly OptionName[]): void {
  const accepted = new Set<OptionName>([...globalOptionNames, ...allowed]);
  const foreign = [...line.given].filter((name) => !accepted.has(name));
  if (foreign.length > 0) throw new UsageError(`${command} does not take ${foreign.map((n) => `--${n}`).join(", ")}`);
}

/** Exactly `names.length` positionals, named in the message when one is missing. */
export function positionalArgs(line: CommandLine, command: string, names: readonly string[]): string[] {
  if (line.positionals.length < names.length) throw new UsageError(`${command} needs <${names[line.positionals.length]}>`);
  if (line.positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${line.positionals[names.length]}"`);
  return line.positionals;
}

/** An integer option within [min, max]. */
export function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
