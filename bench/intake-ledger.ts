/**
 * The ledger-only part of intake, for the intake benchmark's breakdown:
 * `submitCommand` called in this process (no HTTP, and a starter that starts
 * nothing), so only validation, admission and the ledger writes are left.
 */
import { appServices } from "../lib/services.js";
import { submitCommand } from "../lib/intake/submit-command.js";
import type { JobStarter } from "../lib/intake/job-starter.js";
import { AppSettingNames } from "../lib/config/names.js";

/** Nothing is orchestrated here: the breakdown isolates the ledger. */
const startsNothing: JobStarter = { start: async () => undefined, ensureStarted: async () => undefined };

/** Points this process's app services at `connectionString` and returns a submit function. */
export async function ledgerOnlyIntake(connectionString: string, env: Record<string, string>): Promise<(body: unknown) => Promise<void>> {
  Object.assign(process.env, { [AppSettingNames.storage]: connectionString, ...env });
  const { settings, contracts, ledger, places } = await appServices();
  const deps = { contracts, ledger, starter: startsNothing, limits: settings.inFlight, places };
  return async (body) => {
    const { replayed } = await submitCommand(body, deps);
    if (replayed) throw new Error("a benchmark command was answered as a replay");
  };
}
