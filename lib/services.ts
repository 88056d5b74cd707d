import { loadContracts, type Contracts } from "./contracts/index.js";
import { loadSettings, type Settings } from "./config/settings.js";
import { Ledger } from "./ledger/index.js";
import { createBusSender, type BusSender } from "./bus/index.js";
import { authSettings } from "./auth/index.js";
import { registerInFlightSource } from "./telemetry/in-flight.js";
import { inputAllowlistsFromEnv, TenantPlaces } from "./refs/tenant-places.js";

/** What triggers and activities need: settings, compiled contracts, the ledger and the bus. */
export interface AppServices {
  settings: Settings;
  contracts: Contracts;
  ledger: Ledger;
  bus: BusSender;
  /** The tenants' places in the storage account, and their input allowlists. */
  places: TenantPlaces;
}

let loaded: { settings: Settings; contracts: Contracts; places: TenantPlaces } | undefined;
let pending: Promise<AppServices> | undefined;

function startup(): { settings: Settings; contracts: Contracts; places: TenantPlaces } {
  if (loaded) return loaded;
  const settings = loadSettings();
  loaded = {
    settings,
    contracts: loadContracts(settings.protocolRegistryPath ? { registry: settings.protocolRegistryPath } : {}),
    places: new TenantPlaces(settings.blobAccountUrl, inputAllowlistsFromEnv(process.env)),
  };
  return loaded;
}

/**
 * Called at module load by the trigger files: settings (access control's too)
 * and contracts are read synchronously then, so a bad registry or setting stops
 * start-up instead of failing the first request.
 */
export function loadStartupServices(): void {
  startup();
  authSettings();
}

/** The services, built once per process (the ledger connects on first use). */
export function appServices(): Promise<AppServices> {
  pending ??= (async () => {
    const { settings, contracts, places } = startup();
    const ledger = await Ledger.connect({ storage: settings.storage, tables: settings.tables });
    // lucius.jobs.inflight reads the backpressure counters at each collection, so every instance reports the truth.
    registerInFlightSource(async () => (await ledger.readInFlightCounters()).tenants);
    return { settings, contracts, ledger, places, bus: connectOnFirstSend(() => createBusSender(settings)) };
  })().catch((error: unknown) => {
    pending = undefined; // a storage outage at first use must not poison the process for good
    throw error;
  });
  return pending;
}

/** The bus is connected when first used, so functions that never publish need no bus configuration. */
function connectOnFirstSend(create: () => BusSender): BusSender {
  let sender: BusSender | undefined;
  return {
    send: (topic, messages) => (sender ??= create()).send(topic, messages),
    close: async () => sender?.close(),
  };
}
