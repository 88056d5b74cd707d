import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { InvalidContinuationError, JobState, Ledger, type Job, type NewJob, type NewStep } from "../../lib/ledger/index.js";
import type { StorageConnection } from "../../lib/config/settings.js";

const storage = (): StorageConnection => ({ kind: "connectionString", connectionString: azuriteConnectionString() });
const steps: NewStep[] = [{ step_id: "ocr", step_type: "OCR", service: "platform-ocr" }];
const newJob = (tenant: string, n: number): NewJob => ({
  tenant_id: tenant,
  request_type: "OCR",
  protocol_id: "atomic-ocr.v1",
  input_ref: `https://acct/in/${n}`,
  output_ref: `https://acct/out/${n}`,
  payload: { n },
});

async function createMany(ledger: Ledger, tenant: string, count: number): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let n = 0; n < count; n++) {
    const r = await ledger.createJob(newJob(tenant, n), steps, { key: `${tenant}-${n}`, bodyHash: "h" });
    if (r.outcome !== "created") throw new Error(r.outcome);
    jobs.push(r.job);
  }
  return jobs;
}

async function allPages(ledger: Ledger, tenant: string, opts: { state?: JobState; limit: number }): Promise<Job[][]> {
  const pages: Job[][] = [];
  let continuation: string | undefined;
  do {
    const page = await ledger.listJobs(tenant, { ...opts, ...(continuation ? { continuation } : {}) });
    pages.push(page.jobs);
    continuation = page.continuation;
    if (pages.length > 100) throw new Error("pagination does not end");
  } while (continuation);
  return pages;
}

describe("listJobs", () => {
  // "acme" and "acme-2" are neighbouring partitions: a leak across the boundary would show.
  const tenant = "acme";
  const neighbour = "acme-2";
  let ledger: Ledger;
  let created: Job[];
  let running: Set<string>;

  beforeAll(async () => {
    let clock = Date.parse("2025-01-01T00:00:00.000Z");
    ledger = await Ledger.connect({ storage: storage(), tables: uniqueTableNames(), now: () => new Date((clock += 1000)) });
    created = await createMany(ledger, tenant, 23);
    await createMany(ledger, neighbour, 6);
    running = new Set(created.filter((_, i) => i % 3 === 0).map((j) => j.job_id));
    for (const id of running) await ledger.transitionJob(id, JobState.RUNNING);
  });

  const newestFirst = () => [...created].reverse().map((j) => j.job_id);

  it("lists a tenant's jobs newest first, with their current state", async () => {
    const { jobs, continuation } = await ledger.listJobs(tenant);
    expect(continuation).toBeUndefined();
    expect(jobs.map((j) => j.job_id)).toEqual(newestFirst());
    expect(jobs.every((j) => j.tenant_id === tenant)).toBe(true);
    expect(
      jobs
        .filter((j) => j.state === JobState.RUNNING)
        .map((j) => j.job_id)
        .sort(),
    ).toEqual([...running].sort());
  });

  it("pages through every job exactly once with continuation tokens", async () => {
    const pages = await allPages(ledger, tenant, { limit: 5 });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat().map((j) => j.job_id)).toEqual(newestFirst());
  });

  it("filters by state on the server, and pages the filtered list", async () => {
    const pages = await allPages(ledger, tenant, { state: JobState.RUNNING, limit: 3 });
    expect(pages.flat().map((j) => j.job_id)).toEqual(newestFirst().filter((id) => running.has(id)));
    expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    const queued = (await ledger.listJobs(tenant, { state: JobState.QUEUED })).jobs;
    expect(queued.map((j) => j.job_id)).toEqual(newestFirst().filter((id) => !running.has(id)));
    expect((await ledger.listJobs(tenant, { state: JobState.CANCELLED })).jobs).toEqual([]);
  });

  it("lists the review queue: state AWAITING_APPROVAL, and the job leaves it when it goes on", async () => {
    const [waiting, other] = await createMany(ledger, "review-queue", 2);
    for (const job of [waiting!, other!]) await ledger.transitionJob(job.job_id, JobState.RUNNING);
    await ledger.transitionJob(waiting!.job_id, JobState.AWAITING_APPROVAL);
    const queue = async () => (await ledger.listJobs("review-queue", { state: JobState.AWAITING_APPROVAL })).jobs.map((j) => j.job_id);
    expect(await queue()).toEqual([waiting!.job_id]);
    await ledger.transitionJob(waiting!.job_id, JobState.RUNNING);
    expect(await queue()).toEqual([]);
  });

  it("never shows another tenant's jobs", async () => {
    const theirs = (await allPages(ledger, neighbour, { limit: 4 })).flat();
    expect(theirs).toHaveLength(6);
    expect(theirs.every((j) => j.tenant_id === neighbour)).toBe(true);
    expect((await ledger.listJobs("nobody")).jobs).toEqual([]);
  });

  it.each(["garbage!", "eyJ4IjoxfQ", "", Buffer.from('["acme-2","x",null]').toString("base64url")])(
    "rejects a malformed or foreign continuation %j",
    async (token) => {
      const error = await ledger.listJobs(tenant, { continuation: token }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidContinuationError);
      expect(error).toMatchObject({ code: "INVALID_CONTINUATION", retryable: false });
    },
  );

  it("rejects a token issued for another tenant", async () => {
    const { continuation } = await ledger.listJobs(tenant, { limit: 2 });
    expect(continuation).toBeDefined();
    await expect(ledger.listJobs(neighbour, { continuation: continuation! })).rejects.toBeInstanceOf(InvalidContinuationError);
  });

  it("rejects an unknown state filter", async () => {
    await expect(ledger.listJobs(tenant, { state: "DONE" as JobState })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("events", () => {
  it("keep insertion order within one millisecond and page in that order", async () => {
    const frozen = new Date("2025-02-02T00:00:00.000Z");
    const ledger = await Ledger.connect({ storage: storage(), tables: uniqueTableNames(), now: () => frozen });
    const [job, other] = await createMany(ledger, "events-tenant", 2);
    for (let n = 0; n < 25; n++) {
      await ledger.appendEvent(job!.job_id, { type: "NOTE", step_id: "ocr", attempt_no: 1, details: { n } });
    }
    await ledger.appendEvent(other!.job_id, { type: "NOTE", details: { n: -1 } });

    const { events } = await ledger.listEvents(job!.job_id);
    expect(events[0]?.type).toBe("JOB_CREATED");
    expect(events.slice(1).map((e) => e.details?.n)).toEqual(Array.from({ length: 25 }, (_, n) => n));
    expect(events[1]).toMatchObject({ job_id: job!.job_id, type: "NOTE", step_id: "ocr", attempt_no: 1, at: frozen.toISOString() });

    const paged: unknown[] = [];
    let continuation: string | undefined;
    do {
      const page = await ledger.listEvents(job!.job_id, { limit: 7, ...(continuation ? { continuation } : {}) });
      paged.push(...page.events.map((e) => e.event_id));
      continuation = page.continuation;
    } while (continuation);
    expect(paged).toEqual(events.map((e) => e.event_id));
    await expect(ledger.listEvents(job!.job_id, { continuation: "%%%" })).rejects.toBeInstanceOf(InvalidContinuationError);
  });

  it("never lose or overwrite concurrent appends", async () => {
    const ledger = await Ledger.connect({ storage: storage(), tables: uniqueTableNames() });
    const [job] = await createMany(ledger, "events-tenant", 1);
    const appended = await Promise.all(Array.from({ length: 40 }, (_, n) => ledger.appendEvent(job!.job_id, { type: "NOTE", details: { n } })));
    expect(new Set(appended.map((e) => e.event_id)).size).toBe(40);
    const { events } = await ledger.listEvents(job!.job_id, { limit: 1000 });
    expect(
      events
        .slice(1)
        .map((e) => e.details?.n)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(Array.from({ length: 40 }, (_, n) => n));
  });
});
