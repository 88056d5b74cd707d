import { afterAll, beforeAll } from "vitest";
import { tableProxy, type TableProxy } from "../../bench/table-proxy.js";
import type { TableNames } from "../../lib/config/names.js";
import { Ledger, type Job, type NewStep } from "../../lib/ledger/index.js";
import { azuriteConnectionString, storageAt, uniqueTableNames } from "./storage.js";

/** A suite's ledger tables in Azurite, with a counting, fault-injecting proxy in front of Azurite. */
export interface ProxiedLedger {
  /** Straight to Azurite on the suite's fresh tables (it created them): to set up and read back. */
  ledger: Ledger;
  proxy: TableProxy;
  tables: TableNames;
  /** Another process's ledger on the same tables, holding no rows, whose requests go through the proxy. */
  viaProxy(): Promise<Ledger>;
}

/** Registers the suite's `beforeAll` and `afterAll` for a {@link ProxiedLedger}; its fields are set once `beforeAll` has run. */
export function useProxiedLedger(): ProxiedLedger {
  const fixture = {
    viaProxy: () => Ledger.connect({ storage: storageAt(fixture.proxy.connectionString), tables: fixture.tables, ensureTables: false }),
  } as ProxiedLedger;
  beforeAll(async () => {
    fixture.proxy = await tableProxy(azuriteConnectionString());
    fixture.tables = uniqueTableNames();
    fixture.ledger = await Ledger.connect({ storage: storageAt(azuriteConnectionString()), tables: fixture.tables });
  });
  afterAll(() => fixture.proxy?.close());
  return fixture;
}

/** OCR, then EMBEDDING: the protocol `ocr-embedding.v1`'s steps. */
export const twoSteps: NewStep[] = ["ocr", "embedding"].map((id) => ({ step_id: id, step_type: id.toUpperCase(), service: `platform-${id}` }));

/** A QUEUED two-step job, as intake leaves it, created under idempotency key `key`. */
export async function queuedTwoStepJob(ledger: Ledger, tenantId: string, key: string): Promise<Job> {
  const created = await ledger.createJob(
    {
      tenant_id: tenantId,
      request_type: "OCR->EMBEDDING",
      protocol_id: "ocr-embedding.v1",
      input_ref: "https://acct/inputs/in.png",
      output_ref: "https://acct/outputs/out/",
      payload: {},
    },
    twoSteps,
    { key, bodyHash: "h" },
  );
  if (created.outcome !== "created") throw new Error(created.outcome);
  return created.job;
}
