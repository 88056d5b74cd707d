import { beforeAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { CreationInProgressError, EventType, JobState, Ledger, StepState, type NewJob, type NewStep } from "../../lib/ledger/index.js";
import type { StorageConnection } from "../../lib/config/settings.js";
import type { TableNames } from "../../lib/config/names.js";

const storage = (): StorageConnection => ({ kind: "connectionString", connectionString: azuriteConnectionString() });
const raw = (table: string) => TableClient.fromConnectionString(azuriteConnectionString(), table, { allowInsecureConnection: true });

async function countRows(table: string, filter?: string): Promise<number> {
  let n = 0;
  for await (const _ of raw(table).listEntities(filter ? { queryOptions: { filter } } : {})) n++;
  return n;
}

const newJob = (tenant: string, extra: Partial<NewJob> = {}): NewJob => ({
  tenant_id: tenant,
  request_type: "OCR->EMBEDDING->SIS",
  protocol_id: "ocr-embedding-sis.v1",
  input_ref: { uri: "https://acct.blob.core.windows.net/inputs/doc.pdf", size_bytes: 1234 },
  output_ref: "https://acct.blob.core.windows.net/outputs/doc/",
  payload: { steps: { ocr: { language_hint: "de" } } },
  correlation_id: "corr-1",
  ...extra,
});

const steps: NewStep[] = [
  { step_id: "ocr", step_type: "OCR", service: "platform-ocr", payload: { language_hint: "de" }, max_attempts: 3 },
  { step_id: "embedding", step_type: "EMBEDDING", service: "platform-embedding" },
  { step_id: "sis", step_type: "SIS", service: "platform-sis", payload: { temperature: 0.2 } },
];

describe("Ledger.createJob", () => {
  let tables: TableNames;
  let ledger: Ledger;

  beforeAll(async () => {
    tables = uniqueTableNames();
    ledger = await Ledger.connect({ storage: storage(), tables });
  });

  it("creates a QUEUED job with PENDING steps and a JOB_CREATED event, readable by id alone", async () => {
    const result = await ledger.createJob(newJob("tenant-read"), steps, { key: "k-read", bodyHash: "h1" });
    expect(result.outcome).toBe("created");
    if (result.outcome === "conflict") throw new Error("unreachable");
    const jobId = result.job.job_id;

    const job = await ledger.getJob(jobId, { withSteps: true });
    expect(job).toMatchObject({
      job_id: jobId,
      tenant_id: "tenant-read",
      state: JobState.QUEUED,
      mode: "DEFAULT",
      input_ref: { uri: "https://acct.blob.core.windows.net/inputs/doc.pdf", size_bytes: 1234 },
      output_ref: "https://acct.blob.core.windows.net/outputs/doc/",
      payload: { steps: { ocr: { language_hint: "de" } } },
      correlation_id: "corr-1",
      step_count: 3,
      redrive_count: 0,
    });
    expect(job?.etag).toBe(result.job.etag);
    expect(job?.steps?.map((s) => [s.step_id, s.index, s.state, s.attempt_no])).toEqual([
      ["ocr", 0, StepState.PENDING, 0],
      ["embedding", 1, StepState.PENDING, 0],
      ["sis", 2, StepState.PENDING, 0],
    ]);
    expect(job?.steps?.[0]).toMatchObject({ service: "platform-ocr", payload: { language_hint: "de" }, max_attempts: 3 });
    expect(await ledger.getStep(jobId, "sis")).toMatchObject({ step_type: "SIS", payload: { temperature: 0.2 } });
    expect(await ledger.getStep(jobId, "nope")).toBeUndefined();

    const { events } = await ledger.listEvents(jobId);
    expect(events.map((e) => e.type)).toEqual([EventType.JOB_CREATED]);

    // A fresh Ledger (no locator cache) finds the job from its id alone.
    const other = await Ledger.connect({ storage: storage(), tables });
    expect((await other.getJob(jobId))?.job_id).toBe(jobId);
  });

  it("hides a job from other tenants and answers undefined for unknown or unusable ids", async () => {
    const result = await ledger.createJob(newJob("tenant-own"), steps, { key: "k-own", bodyHash: "h" });
    if (result.outcome === "conflict") throw new Error("unexpected conflict");
    expect((await ledger.getJobForTenant(result.job.job_id, "tenant-own"))?.job_id).toBe(result.job.job_id);
    expect(await ledger.getJobForTenant(result.job.job_id, "tenant-other")).toBeUndefined();
    expect(await ledger.getJob("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await ledger.getJob("")).toBeUndefined();
    expect(await ledger.getJob("a/b#c?")).toBeUndefined();
  });

  it("stores tenants, job ids and step ids that contain characters keys forbid", async () => {
    const weird = "tenant/with#odd?chars\\";
    const result = await ledger.createJob(newJob(weird, { job_id: "job/1#x" }), [{ step_id: "a/b?", step_type: "OCR", service: "s" }], {
      key: "key/with#odd?chars",
      bodyHash: "h",
    });
    expect(result.outcome).toBe("created");
    expect((await ledger.getJob("job/1#x", { withSteps: true }))?.steps?.[0]?.step_id).toBe("a/b?");
    expect((await ledger.listJobs(weird)).jobs.map((j) => j.job_id)).toEqual(["job/1#x"]);
  });

  it("creates exactly one job for 50 concurrent identical submissions", async () => {
    const t = uniqueTableNames();
    const l = await Ledger.connect({ storage: storage(), tables: t });
    const results = await Promise.all(Array.from({ length: 50 }, () => l.createJob(newJob("tenant-race"), steps, { key: "same-key", bodyHash: "same-hash" })));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "replayed")).toHaveLength(49);
    const ids = new Set(results.map((r) => (r.outcome === "conflict" ? r.job_id : r.job.job_id)));
    expect(ids.size).toBe(1);

    // One job partition: the job row, its steps and JOB_CREATED; one reservation and one listing row.
    expect(await countRows(t.jobs)).toBe(1 + steps.length + 1);
    expect(await countRows(t.jobs, "step_count ge 1")).toBe(1);
    expect(await countRows(t.tenantIndex)).toBe(2);
    expect((await l.listJobs("tenant-race")).jobs).toHaveLength(1);
  });

  it("answers a different body under a used key with conflict and writes nothing", async () => {
    const t = uniqueTableNames();
    const l = await Ledger.connect({ storage: storage(), tables: t });
    const first = await l.createJob(newJob("tenant-c"), steps, { key: "k", bodyHash: "body-1" });
    if (first.outcome === "conflict") throw new Error("unexpected conflict");
    const before = await Promise.all([t.jobs, t.tenantIndex].map((n) => countRows(n)));

    const second = await l.createJob(newJob("tenant-c", { doc_id: "other" }), steps, { key: "k", bodyHash: "body-2" });
    expect(second).toMatchObject({ outcome: "conflict", job_id: first.job.job_id });

    const after = await Promise.all([t.jobs, t.tenantIndex].map((n) => countRows(n)));
    expect(after).toEqual(before);
    // The same key in another tenant is a different key.
    expect((await l.createJob(newJob("tenant-d"), steps, { key: "k", bodyHash: "body-2" })).outcome).toBe("created");
  });

  it("replays with the stored job, not the caller's job_id", async () => {
    const first = await ledger.createJob(newJob("tenant-r", { job_id: "job-r-1" }), steps, { key: "kr", bodyHash: "h" });
    const again = await ledger.createJob(newJob("tenant-r", { job_id: "job-r-2" }), steps, { key: "kr", bodyHash: "h" });
    expect(first.outcome).toBe("created");
    expect(again).toMatchObject({ outcome: "replayed", job: { job_id: "job-r-1" } });
    expect(await ledger.getJob("job-r-2")).toBeUndefined();
  });

  // A crash is simulated by a Ledger whose jobs table does not exist: the reservation and listing are written, then the job's batch fails.
  it.each(["jobs"] as const)("completes a creation that crashed writing %s, with the same job_id", async (missing) => {
    const t = uniqueTableNames();
    await Ledger.connect({ storage: storage(), tables: t }); // creates the real tables
    const broken = await Ledger.connect({
      storage: storage(),
      tables: { ...t, [missing]: `${t[missing]}missing` },
      ensureTables: false,
    });
    const claim = { key: "crash-key", bodyHash: "crash-hash" };
    await expect(broken.createJob(newJob("tenant-crash", { job_id: "crashed-job" }), steps, claim)).rejects.toThrow();

    const fresh = await Ledger.connect({ storage: storage(), tables: t, tuning: { reservationStaleMs: 0 } });
    // Nothing half-written is visible as a job.
    expect(await fresh.getJob("crashed-job")).toBeUndefined();
    expect((await fresh.listJobs("tenant-crash")).jobs).toEqual([]);

    const retried = await fresh.createJob(newJob("tenant-crash", { job_id: "a-new-id" }), steps, claim);
    expect(retried).toMatchObject({ outcome: "created", job: { job_id: "crashed-job", state: JobState.QUEUED } });
    expect((await fresh.listSteps("crashed-job")).map((s) => s.step_id)).toEqual(["ocr", "embedding", "sis"]);
    expect((await fresh.listEvents("crashed-job")).events.map((e) => e.type)).toEqual([EventType.JOB_CREATED]);
    expect(await countRows(t.jobs, "step_count ge 1")).toBe(1);
    expect(await fresh.getJob("a-new-id")).toBeUndefined();
    expect((await fresh.createJob(newJob("tenant-crash"), steps, claim)).outcome).toBe("replayed");
  });

  it("tells a caller that finds a fresh, unfinished reservation to retry (retryable error)", async () => {
    const t = uniqueTableNames();
    await Ledger.connect({ storage: storage(), tables: t });
    const broken = await Ledger.connect({ storage: storage(), tables: { ...t, jobs: `${t.jobs}missing` }, ensureTables: false });
    const claim = { key: "busy", bodyHash: "h" };
    await expect(broken.createJob(newJob("tenant-busy"), steps, claim)).rejects.toThrow();

    const impatient = await Ledger.connect({
      storage: storage(),
      tables: t,
      tuning: { replayWaitMs: 30, reservationStaleMs: 3_600_000 },
    });
    const error = await impatient.createJob(newJob("tenant-busy"), steps, claim).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreationInProgressError);
    expect(error).toMatchObject({ code: "CREATION_IN_PROGRESS", retryable: true });
  });

  it("rejects jobs the table cannot hold before writing anything", async () => {
    const t = uniqueTableNames();
    const l = await Ledger.connect({ storage: storage(), tables: t });
    const huge = { blob: "x".repeat(700_000) };
    await expect(l.createJob(newJob("tenant-big", { payload: huge }), steps, { key: "big", bodyHash: "h" })).rejects.toMatchObject({
      code: "ENTITY_TOO_LARGE",
      retryable: false,
    });
    await expect(l.createJob(newJob("tenant-big"), [], { key: "none", bodyHash: "h" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const dup = [steps[0]!, steps[0]!];
    await expect(l.createJob(newJob("tenant-big"), dup, { key: "dup", bodyHash: "h" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await countRows(t.tenantIndex)).toBe(0);
    expect(await countRows(t.jobs)).toBe(0);

    // A 256 KiB payload (the API's body limit) fits: it is split over several properties.
    const large = { blob: "y".repeat(250_000) };
    const ok = await l.createJob(newJob("tenant-big", { payload: large }), steps, { key: "large", bodyHash: "h" });
    if (ok.outcome === "conflict") throw new Error("unexpected conflict");
    expect((await l.getJob(ok.job.job_id))?.payload).toEqual(large);
  });
});
