import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { Ledger, StepState } from "../../lib/ledger/index.js";
import { loadContracts } from "../../lib/contracts/index.js";
import { productionStepDefaults } from "../../lib/config/settings.js";
import { handleReply, type ReplyDependencies } from "../../lib/replies/handle-reply.js";

let ledger: Ledger;
let deps: ReplyDependencies;
let seq = 0;
const contracts = loadContracts();
/** Differs from both leases below, so the test tells which one a heartbeat used. */
const stepDefaults = { ...productionStepDefaults, lease_seconds: 7_000 };

beforeAll(async () => {
  ledger = await Ledger.connect({
    storage: { kind: "connectionString", connectionString: azuriteConnectionString() },
    tables: uniqueTableNames(),
  });
  deps = { contracts, ledger, stepDefaults, notify: async () => true };
});

/** A job whose OCR step is DISPATCHED under `lease`, with or without its lease length recorded. */
async function dispatchedOcr(leaseMs: number | undefined): Promise<{ jobId: string; lease: string }> {
  const protocol = contracts.registry.protocols.find((p) => p.steps.some((s) => s.step_id === "ocr"))!;
  const created = await ledger.createJob(
    {
      tenant_id: "tenant-h",
      request_type: protocol.request_types[0]!,
      protocol_id: protocol.protocol_id,
      input_ref: "https://acct/inputs/doc.png",
      output_ref: "https://acct/outputs/doc/",
      payload: {},
    },
    protocol.steps.map((s) => ({ step_id: s.step_id, step_type: s.step_type, service: s.service ?? "lucius" })),
    { key: `heartbeat-${++seq}`, bodyHash: "h" },
  );
  if (created.outcome !== "created") throw new Error(created.outcome);
  const jobId = created.job.job_id;
  const lease = `00000000-0000-4000-8000-00000000000${seq}`;
  await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, {
    lease_id: lease,
    lease_expires_at: new Date(Date.now() + 1_000).toISOString(),
    ...(leaseMs !== undefined ? { lease_ms: leaseMs } : {}),
  });
  return { jobId, lease };
}

/** Sends a HEARTBEAT; the lease length it applied lies between the two bounds returned. */
async function heartbeat(jobId: string, lease: string): Promise<{ atLeast: number; atMost: number }> {
  const before = Date.now();
  const outcome = await handleReply(
    { type: "HEARTBEAT", job_id: jobId, step_id: "ocr", tenant_id: "tenant-h", attempt_no: 1, lease_id: lease, timestamp: new Date().toISOString() },
    deps,
  );
  const after = Date.now();
  expect(outcome).toEqual({ kind: "applied", type: "HEARTBEAT" });
  const expires = Date.parse((await ledger.getStep(jobId, "ocr"))!.lease_expires_at!);
  return { atLeast: expires - after, atMost: expires - before };
}

describe("a HEARTBEAT", () => {
  it("extends the lease by the length recorded on the step at dispatch", async () => {
    const { jobId, lease } = await dispatchedOcr(120_000);
    const applied = await heartbeat(jobId, lease);
    expect(120_000).toBeGreaterThanOrEqual(applied.atLeast);
    expect(120_000).toBeLessThanOrEqual(applied.atMost);
  });

  it("falls back to the registry and the defaults for a step dispatched before steps recorded it", async () => {
    const { jobId, lease } = await dispatchedOcr(undefined);
    const protocolLease = contracts.registry.protocols.flatMap((p) => p.steps).find((s) => s.step_id === "ocr")?.timeout_overrides?.lease_seconds;
    const expectedMs = (protocolLease ?? stepDefaults.lease_seconds) * 1000;
    const applied = await heartbeat(jobId, lease);
    expect(expectedMs).toBeGreaterThanOrEqual(applied.atLeast);
    expect(expectedMs).toBeLessThanOrEqual(applied.atMost);
  });
});
