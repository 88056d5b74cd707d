import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { AppSettingNames } from "../lib/config/names.js";
import { packageRoot } from "../lib/paths.js";
import { withWorkerEntries } from "../workers/entries.js";
import { CliUsageError, parseArgs, readyMarker, usage } from "./cli-args.js";
import { defaultComponents } from "./default-components.js";
import { devhostApiKeysSetting, ensureDevhostApiKey } from "./dev-api-key.js";
import { azuriteStatePath } from "./azurite-folder.js";
import { startDevHost, type DevHost, type DevHostOptions } from "./host.js";
import { LogLevel } from "./log.js";
import { consoleLink } from "../lib/console/link.js";

/** The line a parent process waits for; the JSON after it has `url` and `port`. */

/**
 * `npm start`: serves the compiled app on http://127.0.0.1:7071 with an on-disk
 * Azurite under `.devhost/azurite` (ports 10000–10002 unless kept otherwise), until SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const cwd = process.cwd();
  const cli = parseArgs(process.argv.slice(2), cwd);
  loadLocalSettings(join(cwd, "local.settings.json"));
  const consoleKey = configureDevApiKey();
  const azurite: DevHostOptions["azurite"] =
    cli.azurite === "memory"
      ? "memory"
      : cli.azurite
        ? { connectionString: cli.azurite }
        : { location: cli.azuriteLocation ?? join(packageRoot, ".devhost", "azurite"), ...(cli.azuritePorts ? { ports: cli.azuritePorts } : {}) };
  let stopRequested: string | undefined;
  let stop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const host = await startDevHost({
    // The reference workers (OCR, EMBEDDING, SIS) run beside the app unless --app names the files.
    appFiles: process.argv.slice(2).includes("--app") ? cli.appFiles : withWorkerEntries(cli.appFiles, packageRoot),
    port: cli.port ?? 7071,
    azurite,
    components: await defaultComponents(cli.hostJsonPath),
    logLevel: cli.quiet ? LogLevel.error : LogLevel.info,
    // The CLI finds devhost's key and Azurite there (no route serves either).
    stateDir: join(packageRoot, ".devhost"),
    ...(cli.taskHub ? { taskHub: cli.taskHub } : {}),
    ...(cli.hostJsonPath ? { hostJsonPath: cli.hostJsonPath } : {}),
  });
  printStorage(host);
  console.log(`[devhost] console: ${consoleLink(host.url, { apiKey: consoleKey, devhostKey: host.key })}`);
  let stopping = false;
  stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[devhost] ${signal}: stopping`);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  if (stopRequested) stop(stopRequested);
  else process.stdout.write(`${readyMarker}${JSON.stringify({ url: host.url, port: host.port, taskHub: host.taskHub })}\n`);
}

/**
 * With no API keys configured, devhost makes one for every tenant (kept in `.devhost/api-key`
 * so it survives restarts) and prints it: the API refuses requests without a credential.
 */
function configureDevApiKey(): string | undefined {
  if ((process.env[AppSettingNames.apiKeys] ?? "").trim() !== "") return undefined;
  const { key, path, created } = ensureDevhostApiKey(packageRoot);
  process.env[AppSettingNames.apiKeys] = devhostApiKeysSetting(key);
  console.log(`[devhost] API key for every tenant (${created ? "new, saved in" : "from"} ${relative(process.cwd(), path) || path}); send it as x-api-key:`);
  console.log(`[devhost]   ${key}`);
  return key;
}

/** Where the data lives and what survives what: the power-loss window is Azurite's 5 s flush interval. */
function printStorage(host: DevHost): void {
  const azurite = host.azurite;
  if (!azurite) return console.log("[devhost] storage: the connection given with --azurite (devhost started no Azurite)");
  const ports = `blob ${azurite.ports.blob}, queue ${azurite.ports.queue}, table ${azurite.ports.table}`;
  if (!azurite.location) return console.log(`[devhost] storage: in-memory Azurite (pid ${azurite.pid}; ${ports}); everything is gone when devhost stops`);
  const shown = (path: string) => (relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path));
  console.log(
    `[devhost] storage: Azurite (pid ${azurite.pid}) on ${ports}; data in ${shown(azurite.location)}, ports kept in ${shown(azuriteStatePath(azurite.location))}`,
  );
  console.log("[devhost]   devhost stopped or killed: Azurite flushes, then ends; the next start reuses folder and ports.");
  console.log("[devhost]   Azurite writes its tables to disk every 5 s: a power loss, or killing Azurite itself, can lose the last 5 s of writes.");
}

/** Like Core Tools: `Values` of local.settings.json become app settings unless already set. */
function loadLocalSettings(path: string): void {
  if (!existsSync(path)) return;
  const values = (JSON.parse(readFileSync(path, "utf8")) as { Values?: Record<string, string> }).Values ?? {};
  for (const [name, value] of Object.entries(values)) process.env[name] ??= value;
}

main().catch((error: unknown) => {
  if (error instanceof CliUsageError) console.error(`${error.message}\n${usage}`);
  else console.error("[devhost] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
