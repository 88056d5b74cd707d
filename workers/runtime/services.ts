import {
  blobServiceClientFromEnv,
  compileSchemas,
  createBusSender,
  issuesFromAjv,
  loadContracts,
  loadSettings,
  RefStore,
  type BusSender,
  type Contracts,
  type Settings,
  type Validation,
} from "../../lib/worker-kit.js";
import { loadWorkerSettings, type WorkerSettings } from "./settings.js";

/** Everything a worker attempt needs, built once per process. */
export interface WorkerServices {
  settings: Settings;
  workerSettings: WorkerSettings;
  contracts: Contracts;
  bus: BusSender;
  refs: RefStore;
  /** Validates a step payload against the schema with this `$id`. */
  validatePayload(schemaId: string, payload: unknown): Validation<Record<string, unknown>>;
}

let services: WorkerServices | undefined;

/**
 * Reads settings and compiles the contracts now, so a bad setting or schema stops start-up
 * (the entry files call this at load); the bus connects on first send.
 */
export function workerServices(env: Record<string, string | undefined> = process.env): WorkerServices {
  if (services) return services;
  const settings = loadSettings(env);
  const workerSettings = loadWorkerSettings(env);
  const contracts = loadContracts();
  const validators = compileSchemas(contracts.schemas);
  let bus: BusSender | undefined;
  services = {
    settings,
    workerSettings,
    contracts,
    bus: {
      send: (topic, messages) => (bus ??= createBusSender(settings, env)).send(topic, messages),
      close: async () => bus?.close(),
    },
    refs: new RefStore({ blobs: blobServiceClientFromEnv(env), allowlists: workerSettings.inputAllowlists, maxInputBytes: workerSettings.maxInputBytes }),
    validatePayload(schemaId, payload) {
      const validate = validators.get(schemaId);
      if (!validate) throw new Error(`No payload schema ${schemaId}`);
      return validate(payload) ? { ok: true, value: payload as Record<string, unknown> } : { ok: false, errors: issuesFromAjv(validate.errors, "/payload") };
    },
  };
  return services;
}
