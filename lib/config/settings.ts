import { AppSettingNames, ContainerNames, TableNames } from "./names.js";

/** How the app reaches Table Storage. */
export type StorageConnection =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "identity"; tableServiceUri: string; clientId?: string };

export const BusMode = { serviceBus: "servicebus", devhost: "devhost" } as const;
export type BusMode = (typeof BusMode)[keyof typeof BusMode];

/** Settings read once from the environment. */
export interface Settings {
  storage: StorageConnection;
  busMode: BusMode;
  devhostUrl?: string;
  taskHub: string;
  /** @default 262144 (256 KiB) */
  maxBodyBytes: number;
  /** @default 16 */
  lanes: number;
  tables: TableNames;
  /** Where per-job workspaces live: `<workspaceUri>/<job_id>/`. @default the storage account's `workspaces` container */
  workspaceUri: string;
  /** Factor applied to every orchestration delay. @default 1 */
  timeScale: number;
}

type Env = Record<string, string | undefined>;

/** Thrown when the environment cannot make a working app; start-up stops with its message. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/** The Functions host convention: `UseDevelopmentStorage=true` means the local emulator. */
const developmentStorage =
  "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
  "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
  "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

export function storageConnection(env: Env): StorageConnection {
  const name = AppSettingNames.storage;
  const connectionString = env[name];
  if (connectionString) {
    return {
      kind: "connectionString",
      connectionString: connectionString === "UseDevelopmentStorage=true" ? developmentStorage : connectionString,
    };
  }
  const clientId = env[`${name}__clientId`];
  const tableServiceUri =
    env[`${name}__tableServiceUri`] ??
    (env[`${name}__accountName`] ? `https://${env[`${name}__accountName`]}.table.core.windows.net` : undefined);
  if (tableServiceUri) return { kind: "identity", tableServiceUri, ...(clientId ? { clientId } : {}) };
  throw new ConfigurationError(
    `Storage is not configured: set ${name} (connection string) or ${name}__tableServiceUri / ${name}__accountName (managed identity)`,
  );
}

/** The blob endpoint of the storage the ledger uses, for refs the app makes itself. */
function blobEndpoint(storage: StorageConnection): string {
  if (storage.kind === "identity") return storage.tableServiceUri.replace(".table.", ".blob.");
  const parts = new Map(
    storage.connectionString.split(";").filter(Boolean).map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).toLowerCase(), part.slice(at + 1)] as const;
    }),
  );
  const explicit = parts.get("blobendpoint");
  if (explicit) return explicit;
  const protocol = parts.get("defaultendpointsprotocol") ?? "https";
  return `${protocol}://${parts.get("accountname") ?? "devstoreaccount1"}.blob.${parts.get("endpointsuffix") ?? "core.windows.net"}`;
}

export function tableNames(env: Env): TableNames {
  const prefix = env[AppSettingNames.tablePrefix] ?? "";
  if (prefix !== "" && !/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix)) {
    throw new ConfigurationError(`${AppSettingNames.tablePrefix} must be letters and digits, starting with a letter`);
  }
  return {
    jobs: prefix + TableNames.jobs,
    steps: prefix + TableNames.steps,
    idempotency: prefix + TableNames.idempotency,
    events: prefix + TableNames.events,
  };
}

/** Reads and checks every setting; throws {@link ConfigurationError} with the setting's name. */
export function loadSettings(env: Env = process.env): Settings {
  const busModeRaw = env[AppSettingNames.busMode] ?? BusMode.serviceBus;
  if (busModeRaw !== BusMode.serviceBus && busModeRaw !== BusMode.devhost) {
    throw new ConfigurationError(`${AppSettingNames.busMode} must be "servicebus" or "devhost", got "${busModeRaw}"`);
  }
  const devhostUrl = env[AppSettingNames.devhostUrl];
  if (busModeRaw === BusMode.devhost && !devhostUrl) {
    throw new ConfigurationError(`${AppSettingNames.devhostUrl} is required when ${AppSettingNames.busMode}=devhost`);
  }
  const storage = storageConnection(env);
  return {
    storage,
    busMode: busModeRaw,
    ...(devhostUrl ? { devhostUrl } : {}),
    taskHub: env[AppSettingNames.taskHub] ?? "lucius",
    maxBodyBytes: positiveInt(env, AppSettingNames.maxBodyBytes, 256 * 1024),
    lanes: positiveInt(env, AppSettingNames.lanes, 16),
    tables: tableNames(env),
    workspaceUri: (env[AppSettingNames.workspaceUri] ?? `${blobEndpoint(storage).replace(/\/+$/, "")}/${ContainerNames.workspaces}`).replace(/\/+$/, ""),
    timeScale: positiveNumber(env, AppSettingNames.timeScale, 1),
  };
}
