import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

const durable = (path: string, method: string) =>
  fetch(`${lucius.url}/runtime/webhooks/durabletask/instances/${path}`, { method, headers: { "x-functions-key": lucius.host.key } });
const held = { ocr: [{ do: "hold" as const, interval_ms: 300 }] };
const running = (job: Record<string, any>) => job.steps[0].state === "ACKED"; // eslint-disable-line @typescript-eslint/no-explicit-any
async function runtimeStatus(jobId: string, expected: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const status = (await (await durable(jobId, "GET")).json()) as { runtimeStatus?: string };
    if (status.runtimeStatus === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`orchestration ${jobId} never became ${expected}`);
}
const driftEvents = async (jobId: string) => (await lucius.events(jobId)).filter((e) => e.type === "DRIFT_REPAIRED").map((e) => e.details.kind);

describe("the drift reconciler repairs each kind of drift in one run", () => {
  it("fails a job whose orchestration was terminated behind the ledger's back, and frees its place", async () => {
    const { job_id, tenant_id } = await lucius.submit("OCR", held);
    await lucius.waitFor(job_id, running, "running");
    expect((await durable(`${job_id}/terminate?reason=operator`, "POST")).status).toBe(202);
    await runtimeStatus(job_id, "Terminated");
    const ledger = await lucius.ledger();
    expect(await ledger.readInFlight(tenant_id)).toBe(1);

    const { repairs } = await lucius.reconcile();
    expect(repairs.filter((r) => r.job_id === job_id).map((r) => r.kind)).toEqual(["orchestration_terminated"]);
    const job = await lucius.job(job_id);
    expect(job.state).toBe("FAILED");
    expect(job.error.code).toBe("ORCHESTRATION_TERMINATED");
    expect(job.steps[0].state).toBe("FAILED");
    expect(await driftEvents(job_id)).toEqual(["orchestration_terminated"]);
    expect(await ledger.readInFlight(tenant_id)).toBe(0);
  });

  it("fails a running job whose orchestration was purged, so it can be redriven", async () => {
    const { job_id, tenant_id } = await lucius.submit("OCR", held);
    await lucius.waitFor(job_id, running, "running");
    await durable(`${job_id}/terminate?reason=gone`, "POST");
    for (let tries = 0; (await durable(job_id, "DELETE")).status !== 200 && tries < 50; tries++) await new Promise((r) => setTimeout(r, 100));
    expect((await durable(job_id, "GET")).status).toBe(404);

    const { repairs } = await lucius.reconcile();
    expect(repairs.filter((r) => r.job_id === job_id).map((r) => r.kind)).toEqual(["orchestration_missing"]);
    expect((await lucius.job(job_id)).error.code).toBe("ORCHESTRATION_MISSING");

    lucius.worker.scripts.set(tenant_id, {});
    expect((await lucius.control(job_id, "redrive")).status).toBe(202);
    expect((await lucius.waitFor(job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
  });

  it("catches the ledger up with an orchestration that completed while its last write was lost", async () => {
    const { job_id } = await lucius.submit("OCR");
    const done = await lucius.waitFor(job_id, terminal, "terminal");
    expect(done.state).toBe("SUCCEEDED");
    // Simulate the lost finishJob write: put the job row back to RUNNING directly in the table, and its
    // tenant listing row back to active (the listing is rewritten only after the job's batch).
    const table = (name: string) =>
      TableClient.fromConnectionString(lucius.host.connectionString, `${lucius.tablePrefix}${name}`, { allowInsecureConnection: true });
    const jobs = table("jobs");
    for await (const row of jobs.listEntities({ queryOptions: { filter: `job_id eq '${job_id}' and step_count ge 1` } })) {
      await jobs.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, state: "RUNNING" }, "Merge");
    }
    const listing = table("tenantindex");
    for await (const row of listing.listEntities({ queryOptions: { filter: `job_id eq '${job_id}' and active eq false` } })) {
      await listing.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, job_id, active: true }, "Replace");
    }
    expect((await lucius.job(job_id)).state).toBe("RUNNING");

    const { repairs } = await lucius.reconcile();
    expect(repairs.filter((r) => r.job_id === job_id).map((r) => r.kind)).toEqual(["ledger_behind"]);
    expect((await lucius.job(job_id)).state).toBe("SUCCEEDED");
  });

  it("sets corrupted in-flight counters back to the jobs really in flight", async () => {
    const { job_id, tenant_id } = await lucius.submit("OCR", held);
    await lucius.waitFor(job_id, running, "running");
    const ledger = await lucius.ledger();
    await ledger.setInFlight(tenant_id, 42);
    await ledger.setInFlight("tenant-with-nothing", 7);
    await ledger.setInFlight(undefined, 1000);

    const { repairs } = await lucius.reconcile();
    const counters = repairs.filter((r) => r.kind === "counter");
    expect(counters.map((r) => r.tenant_id ?? "global").sort()).toEqual(["global", "tenant-with-nothing", tenant_id].sort());
    expect(await ledger.readInFlight(tenant_id)).toBe(1);
    expect(await ledger.readInFlight("tenant-with-nothing")).toBe(0);
    const active: string[] = [];
    for await (const job of ledger.activeJobs()) active.push(job.job_id);
    expect(await ledger.readInFlight()).toBe(active.length);

    // A second run finds nothing left to repair.
    expect((await lucius.reconcile()).repairs).toEqual([]);
    lucius.release(job_id, "ocr", 1);
    await lucius.waitFor(job_id, terminal, "terminal");
    // The place is given back after the job's terminal batch (finishJob), so it may land just after the job reads terminal.
    const deadline = Date.now() + 10_000;
    while ((await ledger.readInFlight(tenant_id)) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await ledger.readInFlight(tenant_id)).toBe(0);
  });
});
