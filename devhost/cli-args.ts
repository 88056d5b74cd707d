import { resolve } from "node:path";
import { packageMainFiles } from "./entry-points.js";

export { packageMainFiles };

/** The line devhost's main prints once it serves: this prefix, then `{"url","port","taskHub"}` as JSON. */
export const readyMarker = "DEVHOST_READY ";

export interface CliOptions {
  port?: number;
  appFiles: string[];
  /** A connection string, "memory", or undefined (on-disk Azurite). */
  azurite?: string;
  azuriteLocation?: string;
  /** `--azurite-ports`: the on-disk Azurite's ports (0 = free ones). */
  azuritePorts?: { blob: number; queue: number; table: number };
  taskHub?: string;
  hostJsonPath?: string;
  quiet: boolean;
}

export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

export const usage = `usage: node dist/devhost/main.js [--port <n>] [--app <file>]... [--azurite <connection string>|memory]
       [--azurite-location <dir>] [--azurite-ports <blob>[,<queue>,<table>]] [--task-hub <name>] [--host-json <file>] [--quiet]
  --port      listen port (default 7071; 0 = a free port)
  --app       compiled entry file; repeatable (default: package.json "main")
  --azurite   storage to use instead of starting an on-disk Azurite under .devhost/azurite
  --azurite-location  the on-disk Azurite's data folder (default .devhost/azurite)
  --azurite-ports     its ports; one number n means n, n+1, n+2; 0 = free ones (default: the ports
              kept in <folder>.json from the last start, else 10000,10001,10002)`;

export function parseArgs(argv: string[], cwd: string): CliOptions {
  const options: CliOptions = { appFiles: [], quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--port") {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be 0–65535`);
      options.port = port;
    } else if (flag === "--app")
      options.appFiles.push(
        ...value()
          .split(",")
          .map((f) => resolve(cwd, f)),
      );
    else if (flag === "--azurite") options.azurite = value();
    else if (flag === "--azurite-location") options.azuriteLocation = resolve(cwd, value());
    else if (flag === "--azurite-ports") options.azuritePorts = parsePorts(value());
    else if (flag === "--task-hub") options.taskHub = value();
    else if (flag === "--host-json") options.hostJsonPath = resolve(cwd, value());
    else if (flag === "--quiet") options.quiet = true;
    else throw new CliUsageError(`unknown option ${flag}`);
  }
  if (options.azuritePorts && options.azurite) throw new CliUsageError("--azurite-ports applies to the on-disk Azurite only, not with --azurite");
  if (options.appFiles.length === 0) options.appFiles = packageMainFiles(cwd);
  if (options.appFiles.length === 0) throw new CliUsageError("no app entry files: pass --app or build the app first");
  return options;
}

function parsePorts(raw: string): NonNullable<CliOptions["azuritePorts"]> {
  const numbers = raw.split(",").map((part) => Number(part.trim()));
  const valid = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
  if ((numbers.length !== 1 && numbers.length !== 3) || !numbers.every(valid) || (numbers.length === 1 && numbers[0]! > 65533)) {
    throw new CliUsageError("--azurite-ports must be one port (n, n+1, n+2 are used) or three, comma-separated, each 0–65535");
  }
  const [blob, queue, table] = numbers.length === 3 ? numbers : [0, 1, 2].map((offset) => (numbers[0] === 0 ? 0 : numbers[0]! + offset));
  return { blob: blob!, queue: queue!, table: table! };
}
