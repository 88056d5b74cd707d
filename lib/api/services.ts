import { loadContracts, type Contracts } from "../contracts/index.js";
import { loadSettings, type Settings } from "../config/settings.js";
import { Ledger } from "../ledger/index.js";

/** What every HTTP trigger needs: settings, compiled contracts and the ledger. */
export interface ApiServices {
  settings: Settings;
  contracts: Contracts;
  ledger: Ledger;
}

let pending: Promise<ApiServices> | undefined;

/**
 * Builds the services once per process. Settings and contracts are read
 * synchronously by {@link loadStartupServices} when the app loads, so a bad
 * registry or setting stops start-up instead of failing the first request.
 */
export function apiServices(): Promise<ApiServices> {
  pending ??= (async () => {
    const { settings, contracts } = startup();
    const ledger = await Ledger.connect({ storage: settings.storage, tables: settings.tables });
    return { settings, contracts, ledger };
  })().catch((error: unknown) => {
    pending = undefined; // a storage outage at first use must not poison the process forever
    throw error;
  });
  return pending;
}

let loaded: { settings: Settings; contracts: Contracts } | undefined;

function startup(): { settings: Settings; contracts: Contracts } {
  loaded ??= { settings: loadSettings(), contracts: loadContracts() };
  return loaded;
}

/** Called at module load by the trigger files: throws (and stops the app) on bad settings or a bad registry. */
export function loadStartupServices(): void {
  startup();
}
