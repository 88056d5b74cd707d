// Shared by the CLI's end-to-end tests: devhost in this process (its own in-memory Azurite, so
// dead letters and messages are this file's alone), and the real `lucius` bin as a child process.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { defaultComponents } from "../../devhost/default-components.js";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { apiKeyHash } from "../../lib/auth/index.js";
import { packageRoot } from "../../lib/paths.js";
import { withWorkerEntries } from "../../workers/entries.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliDevhost {
  host: DevHost;
  /** The API key (for `tenant`) the child processes send. */
  key: string;
  tenant: string;
  /** devhost's state folder (its key, its Azurite's connection), as `.devhost` is under `npm start`. */
  stateDir: string;
  /** Runs `node bin/lucius.mjs …args` against this devhost; `env` adds or overrides variables. */
  lucius(args: string[], env?: Record<string, string>): Promise<CliRun>;
  stop(): Promise<void>;
}

export const sampleImage = join(packageRoot, "test/fixtures/documents/sample-invoice.png");
const bin = join(packageRoot, "bin/lucius.mjs");

/** The test process's environment without the settings devhost gave the app (the CLI must find its own way). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(AzureWebJobsStorage|ServiceBusConnection|LUCIUS_)/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

export function runLucius(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, cwd: packageRoot, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * devhost with the compiled app (plus the reference workers when `workers`) and one API key for one tenant, with the review role.
 * `env`: more settings for the app and the workers (e.g. `LUCIUS_OCR_MAX_PAGES`).
 */
export async function startCliDevhost(options: { workers: boolean; env?: Record<string, string> }): Promise<CliDevhost> {
  const tag = randomBytes(4).toString("hex");
  const key = randomBytes(24).toString("base64url");
  const tenant = `cli-${tag}`;
  const appFiles = packageMainFiles(packageRoot);
  // This devhost's own state folder: the CLI finds its key and Azurite there, as under `npm start`.
  const stateDir = mkdtempSync(join(tmpdir(), "lucius-devhost-"));
  const host = await startDevHost({
    stateDir,
    appFiles: options.workers ? withWorkerEntries(appFiles, packageRoot) : appFiles,
    port: 0,
    azurite: "memory",
    taskHub: `cli${tag}`,
    hostJsonPath: join(packageRoot, "host.json"),
    components: await defaultComponents(join(packageRoot, "host.json")),
    env: { ...options.env, LUCIUS_API_KEYS: JSON.stringify([{ name: "cli-test", sha256: apiKeyHash(key), tenants: [tenant], roles: ["review"] }]) },
    logLevel: "error",
  });
  const base = { ...cleanEnv(), NO_COLOR: "1", LUCIUS_API_URL: host.url, LUCIUS_API_KEY: key, LUCIUS_TENANT: tenant, LUCIUS_DEVHOST_DIR: stateDir };
  return {
    host,
    key,
    tenant,
    stateDir,
    lucius: (args, env = {}) => runLucius(args, { ...base, ...env }),
    stop: () => host.stop(),
  };
}

/** The JSON document a `--json` run printed (fails the test with the output when it is not one). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json<T = Record<string, any>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
