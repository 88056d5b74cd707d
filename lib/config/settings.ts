import { AppSettingNames, TableNames } from "./names.js";

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
}

type Env = Record<string, string | undefined>;

/** Thrown when the environment cannot make a working app; start-up stops with its message. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
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
  return {
    storage: storageConnection(env),
    busMode: busModeRaw,
    ...(devhostUrl ? { devhostUrl } : {}),
    taskHub: env[AppSettingNames.taskHub] ?? "lucius",
    maxBodyBytes: positiveInt(env, AppSettingNames.maxBodyBytes, 256 * 1024),
    lanes: positiveInt(env, AppSettingNames.lanes, 16),
    tables: tableNames(env),
  };
}
