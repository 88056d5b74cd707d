import { AppSettingNames, ContainerNames, TableNames } from "./names.js";
import { LuciusError } from "../errors.js";

/** How the app reaches Table Storage. */
export type StorageConnection = { kind: "connectionString"; connectionString: string } | { kind: "identity"; tableServiceUri: string; clientId?: string };

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
  /** The storage account's Blob service URL (no trailing slash): the tenants' places are there. */
  blobAccountUrl: string;
  /**
   * The `workspaces` container: a job's workspace is `<workspaceUri>/<tenant>/<job_id>/`. Workers
   * accept only the account's `workspaces` container. @default the storage account's `workspaces` container
   */
  workspaceUri: string;
  /** In-flight limits enforced at intake. @default 100 per tenant, 10000 overall */
  inFlight: InFlightLimits;
  /** Jobs changed more recently than this are not repaired. @default 120 */
  reconcileGraceSeconds: number;
  /** `REPLY_IGNORED` events kept per step. @default 20 */
  replyIgnoredEventsPerStep: number;
  /** The orchestrator's step timing when the registry says nothing. @default ack 30 s, lease 900 s, 3 attempts, backoff 30/120/600 s */
  stepDefaults: StepDefaults;
  /** A protocol registry file instead of the shipped one. @default undefined: protocols/registry.v1.json */
  protocolRegistryPath?: string;
}

type Env = Record<string, string | undefined>;

/** Thrown when the environment cannot make a working app; start-up stops with its message. */
export class ConfigurationError extends LuciusError {
  override readonly name = "ConfigurationError";
  readonly code = "CONFIGURATION_INVALID";
  readonly retryable = false;
}

/** Backpressure limits: jobs in flight (not yet terminal) per tenant and overall. */
export interface InFlightLimits {
  /** @default 100 */
  perTenant: number;
  /** Per-tenant exceptions to `perTenant`. @default {} */
  overrides: Readonly<Record<string, number>>;
  /** @default 10000 */
  global: number;
}

function tenantOverrides(env: Env): Record<string, number> {
  const name = AppSettingNames.tenantInFlightOverrides;
  const raw = env[name];
  if (raw === undefined || raw === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`${name} must be a JSON object of tenant → limit, got "${raw}"`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigurationError(`${name} must be a JSON object of tenant → limit`);
  for (const [tenant, limit] of Object.entries(value)) {
    if (!Number.isInteger(limit) || (limit as number) < 1) throw new ConfigurationError(`${name}: the limit of "${tenant}" must be a positive integer`);
  }
  return value as Record<string, number>;
}

/** Step timing used when a registry step has no override; all durations in seconds. */
export interface StepDefaults {
  ack_seconds: number;
  lease_seconds: number;
  max_attempts: number;
  /** backoff_seconds[i] is the wait before attempt i+2; the last entry repeats. */
  backoff_seconds: number[];
}

export const productionStepDefaults: StepDefaults = { ack_seconds: 30, lease_seconds: 900, max_attempts: 3, backoff_seconds: [30, 120, 600] };

function stepDefaults(env: Env): StepDefaults {
  const name = AppSettingNames.stepDefaults;
  const raw = env[name];
  if (raw === undefined || raw === "") return productionStepDefaults;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`${name} must be a JSON object, got "${raw}"`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigurationError(`${name} must be a JSON object`);
  const merged = { ...productionStepDefaults, ...(value as Partial<StepDefaults>) };
  const positive = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n > 0;
  const unknownKeys = Object.keys(value).filter((key) => !(key in productionStepDefaults));
  if (unknownKeys.length > 0) throw new ConfigurationError(`${name} has unknown keys: ${unknownKeys.join(", ")}`);
  if (!positive(merged.ack_seconds) || !positive(merged.lease_seconds))
    throw new ConfigurationError(`${name}: ack_seconds and lease_seconds must be positive numbers`);
  if (!Number.isInteger(merged.max_attempts) || merged.max_attempts < 1) throw new ConfigurationError(`${name}: max_attempts must be a positive integer`);
  if (!Array.isArray(merged.backoff_seconds) || merged.backoff_seconds.length === 0 || !merged.backoff_seconds.every((n) => typeof n === "number" && n >= 0)) {
    throw new ConfigurationError(`${name}: backoff_seconds must be a non-empty array of non-negative numbers`);
  }
  return merged;
}

/** A positive integer setting, or `fallback` when unset or empty; anything else is a {@link ConfigurationError} naming it. */
export function positiveInt(env: Env, name: string, fallback: number): number {
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
  "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

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
    env[`${name}__tableServiceUri`] ?? (env[`${name}__accountName`] ? `https://${env[`${name}__accountName`]}.table.core.windows.net` : undefined);
  if (tableServiceUri) return { kind: "identity", tableServiceUri, ...(clientId ? { clientId } : {}) };
  throw new ConfigurationError(
    `Storage is not configured: set ${name} (connection string) or ${name}__tableServiceUri / ${name}__accountName (managed identity)`,
  );
}

/** The blob endpoint of the storage the ledger uses, for refs the app makes itself. */
function blobEndpoint(storage: StorageConnection): string {
  if (storage.kind === "identity") return storage.tableServiceUri.replace(".table.", ".blob.");
  const parts = new Map(
    storage.connectionString
      .split(";")
      .filter(Boolean)
      .map((part) => {
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
    tenantIndex: prefix + TableNames.tenantIndex,
    inflight: prefix + TableNames.inflight,
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
  const blobAccountUrl = blobEndpoint(storage).replace(/\/+$/, "");
  return {
    storage,
    busMode: busModeRaw,
    ...(devhostUrl ? { devhostUrl } : {}),
    taskHub: env[AppSettingNames.taskHub] ?? "lucius",
    maxBodyBytes: positiveInt(env, AppSettingNames.maxBodyBytes, 256 * 1024),
    lanes: positiveInt(env, AppSettingNames.lanes, 16),
    tables: tableNames(env),
    blobAccountUrl,
    workspaceUri: (env[AppSettingNames.workspaceUri] ?? `${blobAccountUrl}/${ContainerNames.workspaces}`).replace(/\/+$/, ""),
    stepDefaults: stepDefaults(env),
    ...(env[AppSettingNames.protocolRegistry] ? { protocolRegistryPath: env[AppSettingNames.protocolRegistry] } : {}),
    inFlight: {
      perTenant: positiveInt(env, AppSettingNames.tenantInFlightLimit, 100),
      overrides: tenantOverrides(env),
      global: positiveInt(env, AppSettingNames.globalInFlightLimit, 10_000),
    },
    reconcileGraceSeconds: positiveInt(env, AppSettingNames.reconcileGraceSeconds, 120),
    replyIgnoredEventsPerStep: positiveInt(env, AppSettingNames.replyIgnoredEventsPerStep, 20),
  };
}
