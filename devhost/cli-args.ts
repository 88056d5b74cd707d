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
  taskHub?: string;
  hostJsonPath?: string;
  quiet: boolean;
}

export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

export const usage = `usage: node dist/devhost/main.js [--port <n>] [--app <file>]... [--azurite <connection string>|memory]
       [--azurite-location <dir>] [--task-hub <name>] [--host-json <file>] [--quiet]
  --port      listen port (default 7071; 0 = a free port)
  --app       compiled entry file; repeatable (default: package.json "main")
  --azurite   storage to use instead of starting an on-disk Azurite under .devhost/azurite`;

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
    } else if (flag === "--app") options.appFiles.push(...value().split(",").map((f) => resolve(cwd, f)));
    else if (flag === "--azurite") options.azurite = value();
    else if (flag === "--azurite-location") options.azuriteLocation = resolve(cwd, value());
    else if (flag === "--task-hub") options.taskHub = value();
    else if (flag === "--host-json") options.hostJsonPath = resolve(cwd, value());
    else if (flag === "--quiet") options.quiet = true;
    else throw new CliUsageError(`unknown option ${flag}`);
  }
  if (options.appFiles.length === 0) options.appFiles = packageMainFiles(cwd);
  if (options.appFiles.length === 0) throw new CliUsageError("no app entry files: pass --app or build the app first");
  return options;
}
