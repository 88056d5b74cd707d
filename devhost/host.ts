import { join } from "node:path";
import { AppSettingNames } from "../lib/config/names.js";
import { startAzurite, type AzuritePorts, type RunningAzurite } from "./azurite.js";
import { startFolderAzurite } from "./azurite-folder.js";
import { createDataContainers } from "./storage-setup.js";
import type { HostComponent, HostContext } from "./component.js";
import { durableClientBinding, durableClientInputData, durableApiPrefix } from "./durable/client-binding.js";
import { durableClientApi } from "./durable/client-api.js";
import { ClientFaults, clientFaultsRoute, durableFaultsPath } from "./durable/client-faults.js";
import { DurableEngine } from "./durable/engine.js";
import { DurableStore } from "./durable/store.js";
import { durableInvoker } from "./durable/worker-runs.js";
import { readHostJson } from "./host-json.js";
import { Router } from "./http/router.js";
import { DevHostServer } from "./http/server.js";
import { loadApp, SupportedBindingTypes, type CapturedApp } from "./loader.js";
import { appLog, runAppStartHooks } from "./worker-invocation.js";
import { createLogger, LogLevel } from "./log.js";
import { describeApp } from "./startup-report.js";
import { ensureDevhostKey, newDevhostKey, writeDevhostState } from "./state-files.js";
import { disabledFunctions, withoutDisabled } from "./disabled-functions.js";
import { setLogSink } from "../lib/telemetry/log.js";
import { devhostTelemetry, telemetryRoutes } from "./telemetry/index.js";
import { devhostLogSink } from "./telemetry/log-sink.js";

export type { HostComponent, HostContext } from "./component.js";

/** Trigger types devhost itself serves; components add theirs. */
export const BuiltInTriggerTypes = ["httpTrigger", "orchestrationTrigger", "activityTrigger"] as const;

export interface DevHostOptions {
  /** The app's compiled entry files (what package.json `main` names). */
  appFiles: string[];
  /** @default 7071; 0 picks a free port */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  hostname?: string;
  /**
   * Storage: an existing Azurite/Storage connection string, an on-disk Azurite folder (locked, on
   * the ports it used last, else 10000–10002; see azurite-folder.ts), or an in-memory Azurite on
   * free ports. @default "memory"
   */
  azurite?: { connectionString: string } | { location: string; ports?: AzuritePorts } | "memory";
  /** Extra app settings; they override the ones devhost sets. */
  env?: Record<string, string>;
  /** Durable task hub. @default LUCIUS_TASK_HUB, else host.json's hubName, else "lucius" */
  taskHub?: string;
  /** @default "host.json" in the current directory (when present) */
  hostJsonPath?: string;
  /** devhost's key for the Durable webhooks and `/_devhost/…` (the app gets it too). @default the one kept in `stateDir`, else a random key per start */
  key?: string;
  /** Where to keep the key and leave (own Azurite only) the storage connection for local tools; nowhere when unset. */
  stateDir?: string;
  /** Largest request body; a larger declared one is refused before it is read. @default 100 MiB, as the Functions host */
  maxBodyBytes?: number;
  /** Pluggable trigger servers (Service Bus, timers, …). @default [] */
  components?: HostComponent[];
  /** @default "info" */
  logLevel?: LogLevel;
  durable?: {
    /** @default host.json maxConcurrentOrchestratorFunctions, else 10 */
    maxConcurrentOrchestrations?: number;
    /** @default host.json maxConcurrentActivityFunctions, else 10 */
    maxConcurrentActivities?: number;
  };
}

export interface DevHost {
  /** Base URL, e.g. `http://127.0.0.1:7071`. */
  url: string;
  port: number;
  app: CapturedApp;
  connectionString: string;
  /** The Azurite devhost started, if it started one. */
  azurite?: { pid: number; ports: AzuritePorts; location?: string };
  taskHub: string;
  /** devhost's key: send it as `x-functions-key` (or `?code=`) to the Durable webhooks and `/_devhost/…`. */
  key: string;
  /** The environment devhost gave the app. */
  env: Record<string, string>;
  durable: DurableEngine;
  stop(): Promise<void>;
}

/**
 * Starts devhost: storage, the HTTP server, the app's environment, the app
 * itself (loaded like the Functions worker would), the Durable engine with its
 * client API, and every component. Unsupported triggers or bindings stop
 * start-up with each one named.
 */
export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const log = createLogger(options.logLevel);
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((error: unknown) => log.error("stop step failed", error));
    }
  };
  try {
    const { connectionString, azurite } = await storageFor(options.azurite);
    if (azurite) cleanup.push(() => azurite.stop());
    await createDataContainers(connectionString);
    const key = options.key ?? (options.stateDir ? ensureDevhostKey(options.stateDir) : newDevhostKey());
    const server = new DevHostServer(log, { key, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
    const port = await server.listen(options.port ?? 7071, options.hostname ?? "127.0.0.1");
    cleanup.push(() => server.close());
    const url = `http://${options.hostname ?? "127.0.0.1"}:${port}`;
    if (options.stateDir) writeDevhostState(options.stateDir, { url, key, ...(azurite ? { ownStorage: azurite.connectionString } : {}) });

    const hostJsonPath = options.hostJsonPath ?? join(process.cwd(), "host.json");
    const preliminary = readHostJson(hostJsonPath, process.env);
    const taskHub = options.taskHub ?? process.env[AppSettingNames.taskHub] ?? preliminary.hubName ?? "lucius";
    const env: Record<string, string> = {
      [AppSettingNames.storage]: connectionString,
      [AppSettingNames.busMode]: "devhost",
      [AppSettingNames.devhostUrl]: url,
      [AppSettingNames.devhostKey]: key,
      [AppSettingNames.taskHub]: taskHub,
      // durable-functions rewrites management URLs to localhost:7071 unless this is set.
      WEBSITE_HOSTNAME: `${options.hostname ?? "127.0.0.1"}:${port}`,
      ...options.env,
    };
    Object.assign(process.env, env);
    const hostJson = readHostJson(hostJsonPath, process.env);

    // Before the app loads: its instruments bind to the global MeterProvider at first use.
    const telemetry = devhostTelemetry();
    setLogSink(devhostLogSink(log));
    for (const [path, handler] of Object.entries(telemetryRoutes(telemetry))) server.mount(path, handler);

    const components = options.components ?? [];
    const app = await loadApp(options.appFiles, {
      triggerTypes: [...BuiltInTriggerTypes, ...components.flatMap((c) => c.triggerTypes)],
      bindingTypes: [...SupportedBindingTypes, "orchestrationClient"],
    });
    const disabled = disabledFunctions(app, process.env);
    const listened = withoutDisabled(app, disabled);
    await runAppStartHooks(app, process.cwd());
    const inputData = durableClientInputData(durableClientBinding(url, taskHub, key));

    const store = new DurableStore(connectionString, taskHub);
    await store.ensureTables();
    const durable = new DurableEngine({
      store,
      app,
      invoker: durableInvoker(app, inputData, (fn) => appLog(log.app, fn.name)),
      log,
      disabled,
      maxConcurrentOrchestrations: options.durable?.maxConcurrentOrchestrations ?? hostJson.maxConcurrentOrchestratorFunctions ?? 10,
      maxConcurrentActivities: options.durable?.maxConcurrentActivities ?? hostJson.maxConcurrentActivityFunctions ?? 10,
      ...(hostJson.defaultVersion !== undefined ? { defaultVersion: hostJson.defaultVersion } : {}),
    });
    cleanup.push(() => durable.stop());
    const clientFaults = new ClientFaults();
    server.mount(durableFaultsPath, clientFaultsRoute(clientFaults));
    server.mount(durableApiPrefix, durableClientApi({ engine: durable, taskHub, key, baseUrl: () => url, faults: clientFaults }));

    const router = new Router(listened, hostJson.routePrefix);
    const context: HostContext = {
      app: listened,
      env,
      connectionString,
      baseUrl: url,
      mount: (prefix, handler) => server.mount(prefix, handler),
      log: (message) => log.info(message),
      inputData,
    };
    for (const component of components) {
      await component.start(context);
      cleanup.push(() => component.stop());
    }
    const { resumed } = await durable.start();
    server.serveApp(router, { app, log, inputData, baseUrl: url });
    log.info(describeApp(app, router, url, taskHub, resumed, disabled));
    const started = azurite ? { pid: azurite.pid, ports: azurite.ports, ...(azurite.location ? { location: azurite.location } : {}) } : undefined;
    return { url, port, app, connectionString, ...(started ? { azurite: started } : {}), taskHub, key, env, durable, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function storageFor(choice: DevHostOptions["azurite"]): Promise<{ connectionString: string; azurite?: RunningAzurite & { location?: string } }> {
  if (choice && typeof choice === "object" && "connectionString" in choice) return { connectionString: choice.connectionString };
  const azurite = choice && typeof choice === "object" ? await startFolderAzurite(choice) : await startAzurite();
  return { connectionString: azurite.connectionString, azurite };
}
