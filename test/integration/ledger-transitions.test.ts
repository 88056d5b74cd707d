import { beforeAll, describe, expect, it } from "vitest";
import { odata, TableClient } from "@azure/data-tables";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { IllegalTransitionError, JobState, Ledger, StaleAttemptError, StaleEtagError, StepState, type NewJob, type NewStep } from "../../lib/ledger/index.js";
import type { TableNames } from "../../lib/config/names.js";

const raw = (table: string) => TableClient.fromConnectionString(azuriteConnectionString(), table, { allowInsecureConnection: true });

const newJob = (): NewJob => ({
  tenant_id: "tenant-t",
  request_type: "OCR->EMBEDDING->SIS",
  protocol_id: "ocr-embedding-sis.v1",
  input_ref: "https://acct/inputs/doc.pdf",
  output_ref: "https://acct/outputs/doc/",
  payload: {},
});

const threeSteps: NewStep[] = ["ocr", "embedding", "sis"].map((id) => ({ step_id: id, step_type: id.toUpperCase(), service: `platform-${id}` }));

let tables: TableNames;
let ledger: Ledger;
let seq = 0;

beforeAll(async () => {
  tables = uniqueTableNames();
  ledger = await Ledger.connect({ storage: { kind: "connectionString", connectionString: azuriteConnectionString() }, tables });
});

async function create(steps: NewStep[] = threeSteps): Promise<string> {
  const result = await ledger.createJob(newJob(), steps, { key: `k${++seq}`, bodyHash: "h" });
  if (result.outcome !== "created") throw new Error(`expected created, got ${result.outcome}`);
  return result.job.job_id;
}

/** The job's row exactly as stored (found by property, without the ledger's key scheme). */
async function rawJob(jobId: string) {
  const filter = odata`job_id eq ${jobId} and step_count ge 1`;
  for await (const e of raw(tables.jobs).listEntities({ queryOptions: { filter } })) return e;
  throw new Error(`no row for ${jobId}`);
}

async function rawStep(jobId: string, stepId: string) {
  const filter = odata`job_id eq ${jobId} and step_id eq ${stepId} and index ge 0`;
  for await (const e of raw(tables.jobs).listEntities({ queryOptions: { filter } })) return e;
  throw new Error(`no row for ${jobId}/${stepId}`);
}

/** Puts a row into a state directly through the table, bypassing the ledger's rules. */
async function forceJob(jobId: string, state: JobState): Promise<void> {
  const row = await rawJob(jobId);
  await raw(tables.jobs).updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, state }, "Merge");
}

async function forceStep(jobId: string, stepId: string, fields: Record<string, unknown>): Promise<void> {
  const row = await rawStep(jobId, stepId);
  await raw(tables.jobs).updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, ...fields }, "Merge");
}

const eventCount = async (jobId: string) => (await ledger.listEvents(jobId, { limit: 1000 })).events.length;

/** Legal moves, written out independently of the implementation (as docs/architecture.md, "State machines", and the ledger's docs state them). */
const legalJob = new Set([
  "QUEUED>RUNNING",
  "QUEUED>FAILED",
  "QUEUED>CANCELLING",
  "RUNNING>SUCCEEDED",
  "RUNNING>FAILED",
  "RUNNING>PAUSED",
  "RUNNING>CANCELLING",
  "RUNNING>AWAITING_APPROVAL",
  "AWAITING_APPROVAL>RUNNING",
  "AWAITING_APPROVAL>FAILED",
  "AWAITING_APPROVAL>CANCELLING",
  "PAUSED>RUNNING",
  "PAUSED>CANCELLING",
  "CANCELLING>CANCELLED",
  "CANCELLING>SUCCEEDED",
  "CANCELLING>FAILED",
]);
const legalStep = new Set([
  "PENDING>DISPATCHED",
  "PENDING>CANCELLED",
  "PENDING>AWAITING_APPROVAL",
  "PENDING>SKIPPED",
  "AWAITING_APPROVAL>SUCCEEDED",
  "AWAITING_APPROVAL>FAILED",
  "AWAITING_APPROVAL>CANCELLED",
  "DISPATCHED>ACKED",
  "DISPATCHED>RETRY_WAIT",
  "DISPATCHED>SUCCEEDED",
  "DISPATCHED>FAILED",
  "DISPATCHED>CANCELLED",
  "ACKED>SUCCEEDED",
  "ACKED>FAILED",
  "ACKED>RETRY_WAIT",
  "ACKED>CANCELLED",
  "RETRY_WAIT>DISPATCHED",
  "RETRY_WAIT>CANCELLED",
]);

const jobPairs = Object.values(JobState).flatMap((from) => Object.values(JobState).map((to) => [from, to] as const));
const stepPairs = Object.values(StepState).flatMap((from) => Object.values(StepState).map((to) => [from, to] as const));

describe("every job state pair against the table", () => {
  it.each(jobPairs)("%s → %s applies only if legal", async (from, to) => {
    const jobId = await create();
    await forceJob(jobId, from);
    const before = await rawJob(jobId);
    const events = await eventCount(jobId);

    const outcome = await ledger.transitionJob(jobId, to).then(
      (job) => ({ job }),
      (error: unknown) => ({ error }),
    );
    if (legalJob.has(`${from}>${to}`)) {
      expect("job" in outcome && outcome.job.state).toBe(to);
      expect((await rawJob(jobId)).state).toBe(to);
      expect(await eventCount(jobId)).toBe(events + 1);
    } else {
      expect("error" in outcome && outcome.error).toBeInstanceOf(IllegalTransitionError);
      expect("error" in outcome && outcome.error).toMatchObject({ code: "ILLEGAL_TRANSITION", from, to, retryable: false });
      expect(await rawJob(jobId)).toEqual(before);
      expect(await eventCount(jobId)).toBe(events);
    }
  });
});

describe("every step state pair against the table", () => {
  let jobId: string;
  beforeAll(async () => {
    jobId = await create(stepPairs.map((_, i) => ({ step_id: `s${i}`, step_type: "OCR", service: "platform-ocr" })));
  });

  it.each(stepPairs.map(([from, to], i) => [from, to, i] as const))("%s → %s applies only if legal", async (from, to, i) => {
    const stepId = `s${i}`;
    const attempt = from === StepState.PENDING ? 0 : 1;
    await forceStep(jobId, stepId, { state: from, attempt_no: attempt, ...(attempt ? { lease_id: "lease-1" } : {}) });
    const before = await rawStep(jobId, stepId);
    const patch = to === StepState.DISPATCHED ? { lease_id: "lease-2" } : {};

    const outcome = await ledger.transitionStep(jobId, stepId, to, patch).then(
      (step) => ({ step }),
      (error: unknown) => ({ error }),
    );
    if (legalStep.has(`${from}>${to}`)) {
      expect("step" in outcome && outcome.step.state).toBe(to);
      const after = await rawStep(jobId, stepId);
      expect(after.state).toBe(to);
      expect(after.attempt_no).toBe(to === StepState.DISPATCHED ? attempt + 1 : attempt);
    } else {
      expect("error" in outcome && outcome.error).toBeInstanceOf(IllegalTransitionError);
      expect("error" in outcome && outcome.error).toMatchObject({ from, to });
      expect(await rawStep(jobId, stepId)).toEqual(before);
    }
  });
});

describe("conditional writes", () => {
  it("rejects a transition made with a stale ETag and changes nothing", async () => {
    const jobId = await create();
    const read = await ledger.getJob(jobId);
    await ledger.transitionJob(jobId, JobState.RUNNING, { current_step_id: "ocr" });
    const current = await rawJob(jobId);

    await expect(ledger.transitionJob(jobId, JobState.PAUSED, {}, { ifMatch: read!.etag })).rejects.toBeInstanceOf(StaleEtagError);
    await expect(ledger.patchJob(jobId, { current_step_id: "sis" }, { ifMatch: read!.etag })).rejects.toMatchObject({ code: "STALE_ETAG" });
    expect(await rawJob(jobId)).toEqual(current);

    // The current ETag works.
    const fresh = await ledger.getJob(jobId);
    expect((await ledger.transitionJob(jobId, JobState.PAUSED, {}, { ifMatch: fresh!.etag })).state).toBe(JobState.PAUSED);
  });

  it("rejects a stale step ETag", async () => {
    const jobId = await create();
    const read = await ledger.getStep(jobId, "ocr");
    await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L1" });
    await expect(ledger.transitionStep(jobId, "ocr", StepState.CANCELLED, {}, { ifMatch: read!.etag })).rejects.toBeInstanceOf(StaleEtagError);
    expect((await ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.DISPATCHED);
  });

  it.each<[string, StepState, StepState, StepState]>([
    ["ACKED → SUCCEEDED vs ACKED → FAILED", StepState.ACKED, StepState.SUCCEEDED, StepState.FAILED],
    ["DISPATCHED → ACKED twice", StepState.DISPATCHED, StepState.ACKED, StepState.ACKED],
    ["ACKED → SUCCEEDED vs ACKED → CANCELLED", StepState.ACKED, StepState.SUCCEEDED, StepState.CANCELLED],
  ])("two racing writers on one step (%s): exactly one wins", async (_name, start, a, b) => {
    const jobId = await create();
    await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L1" });
    if (start === StepState.ACKED) await ledger.transitionStep(jobId, "ocr", StepState.ACKED);

    const results = await Promise.allSettled([
      ledger.transitionStep(jobId, "ocr", a, a === StepState.FAILED ? { error: { code: "X", message: "a" } } : {}),
      ledger.transitionStep(jobId, "ocr", b, b === StepState.FAILED ? { error: { code: "X", message: "b" } } : {}),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(IllegalTransitionError);
    const winner = (won[0] as PromiseFulfilledResult<{ state: StepState; etag: string }>).value;
    const stored = await ledger.getStep(jobId, "ocr");
    expect(stored?.state).toBe(winner.state);
    expect(stored?.etag).toBe(winner.etag);
    const changes = (await ledger.listEvents(jobId)).events.filter((e) => e.type === "STEP_STATE_CHANGED");
    expect(changes.at(-1)?.details).toMatchObject({ to: winner.state });
  });

  it("re-decides after losing a race when the move is still legal", async () => {
    const jobId = await create();
    await ledger.transitionJob(jobId, JobState.RUNNING);
    const [pause, cancel] = await Promise.allSettled([ledger.transitionJob(jobId, JobState.PAUSED), ledger.transitionJob(jobId, JobState.CANCELLING)]);
    // CANCELLING is legal from RUNNING and from PAUSED, so it always lands; PAUSED lands only if it went first.
    expect(cancel.status).toBe("fulfilled");
    expect((await ledger.getJob(jobId))?.state).toBe(JobState.CANCELLING);
    if (pause.status === "rejected") expect(pause.reason).toBeInstanceOf(IllegalTransitionError);
  });
});

describe("terminal states", () => {
  it.each([JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED])("a %s job accepts no transition and no patch", async (terminal) => {
    const jobId = await create();
    await forceJob(jobId, terminal);
    const before = await rawJob(jobId);
    for (const to of Object.values(JobState)) {
      await expect(ledger.transitionJob(jobId, to)).rejects.toBeInstanceOf(IllegalTransitionError);
    }
    await expect(ledger.patchJob(jobId, { current_step_id: "x" })).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await rawJob(jobId)).toEqual(before);
  });

  it.each([StepState.SUCCEEDED, StepState.FAILED, StepState.CANCELLED, StepState.SKIPPED])("a %s step accepts no transition and no patch", async (terminal) => {
    const jobId = await create();
    await forceStep(jobId, "ocr", { state: terminal });
    const before = await rawStep(jobId, "ocr");
    for (const to of Object.values(StepState)) {
      await expect(ledger.transitionStep(jobId, "ocr", to, { lease_id: "L9" })).rejects.toBeInstanceOf(IllegalTransitionError);
    }
    await expect(ledger.patchStep(jobId, "ocr", { lease_expires_at: "2030-01-01T00:00:00Z" })).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await rawStep(jobId, "ocr")).toEqual(before);
  });
});

describe("attempts and leases", () => {
  it("numbers attempts on dispatch, needs a new lease, and refuses replies for other attempts", async () => {
    const jobId = await create();
    const first = await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, {
      lease_id: "L1",
      lease_expires_at: "2030-01-01T00:00:00.000Z",
      routing_key_used: "tenant-t",
      lane: 7,
    });
    expect(first).toMatchObject({ attempt_no: 1, lease_id: "L1", lane: 7, routing_key_used: "tenant-t" });
    expect(first.dispatched_at).toBeDefined();

    const noted = await ledger.patchStep(jobId, "ocr", { result_received_at: "2030-01-01T00:00:01.000Z" }, { expect: { attempt_no: 1, lease_id: "L1" } });
    expect(noted.result_received_at).toBe("2030-01-01T00:00:01.000Z");
    await ledger.transitionStep(jobId, "ocr", StepState.RETRY_WAIT, { error: { code: "TIMEOUT", message: "no ack" } });
    await expect(ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L1" })).rejects.toThrow(/new lease_id/);
    await expect(ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L2", attempt_no: 5 })).rejects.toThrow(/next attempt is 2/);
    const second = await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L2", error: null });
    expect(second).toMatchObject({ attempt_no: 2, lease_id: "L2" });
    expect(second.error).toBeUndefined();
    expect(second.result_received_at).toBeUndefined(); // per attempt: a new dispatch forgets the old RESULT

    // A late ACK from attempt 1 is stale, whatever its transition.
    const stale = await ledger.transitionStep(jobId, "ocr", StepState.ACKED, {}, { expect: { attempt_no: 1, lease_id: "L1" } }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleAttemptError);
    expect(stale).toMatchObject({ code: "STALE_ATTEMPT", retryable: false });
    await expect(
      ledger.patchStep(jobId, "ocr", { lease_expires_at: "2031-01-01T00:00:00.000Z" }, { expect: { attempt_no: 2, lease_id: "L1" } }),
    ).rejects.toBeInstanceOf(StaleAttemptError);
    expect((await ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.DISPATCHED);

    const acked = await ledger.transitionStep(jobId, "ocr", StepState.ACKED, {}, { expect: { attempt_no: 2, lease_id: "L2" } });
    expect(acked.acked_at).toBeDefined();
    const extended = await ledger.patchStep(jobId, "ocr", { lease_expires_at: "2031-01-01T00:00:00.000Z" }, { expect: { attempt_no: 2, lease_id: "L2" } });
    expect(extended).toMatchObject({ state: StepState.ACKED, lease_expires_at: "2031-01-01T00:00:00.000Z" });
    const done = await ledger.transitionStep(jobId, "ocr", StepState.SUCCEEDED, { output_ref: { uri: "https://acct/out/ocr.json" } });
    expect(done).toMatchObject({ output_ref: { uri: "https://acct/out/ocr.json" }, attempt_no: 2 });
    expect(done.completed_at).toBeDefined();

    const changes = (await ledger.listEvents(jobId)).events.filter((e) => e.type === "STEP_STATE_CHANGED");
    expect(changes.map((e) => [e.details?.from, e.details?.to, e.attempt_no])).toEqual([
      ["PENDING", "DISPATCHED", 1],
      ["DISPATCHED", "RETRY_WAIT", 1],
      ["RETRY_WAIT", "DISPATCHED", 2],
      ["DISPATCHED", "ACKED", 2],
      ["ACKED", "SUCCEEDED", 2],
    ]);
  });

  it("reports unknown jobs and steps as NOT_FOUND", async () => {
    await expect(ledger.transitionJob("no-such-job", JobState.RUNNING)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const jobId = await create();
    await expect(ledger.transitionStep(jobId, "no-such-step", StepState.CANCELLED)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("redrive", () => {
  async function failedAtEmbedding(): Promise<string> {
    const jobId = await create();
    await ledger.transitionJob(jobId, JobState.RUNNING, { current_step_id: "ocr" });
    await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "A1" });
    await ledger.transitionStep(jobId, "ocr", StepState.SUCCEEDED, { output_ref: "https://acct/out/ocr" });
    await ledger.transitionStep(jobId, "embedding", StepState.DISPATCHED, { lease_id: "B1", input_ref: "https://acct/out/ocr" });
    await ledger.transitionStep(jobId, "embedding", StepState.FAILED, { error: { code: "BOOM", message: "model down" } });
    await ledger.transitionJob(jobId, JobState.FAILED, { error: { code: "BOOM", message: "model down" } });
    return jobId;
  }

  it("is not an ordinary transition", async () => {
    const jobId = await failedAtEmbedding();
    await expect(ledger.transitionJob(jobId, JobState.QUEUED)).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(ledger.transitionJob(jobId, JobState.RUNNING)).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(ledger.transitionStep(jobId, "embedding", StepState.PENDING)).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it("requeues a FAILED job from its failed step, keeping earlier results and the history", async () => {
    const jobId = await failedAtEmbedding();
    const eventsBefore = (await ledger.listEvents(jobId)).events;

    const { job, steps } = await ledger.resetForRedrive(jobId, "embedding");
    expect(job).toMatchObject({ state: JobState.QUEUED, redrive_count: 1 });
    expect(job.error).toBeUndefined();
    expect(steps.map((s) => [s.step_id, s.state, s.attempt_no])).toEqual([
      ["ocr", StepState.SUCCEEDED, 1],
      ["embedding", StepState.PENDING, 1],
      ["sis", StepState.PENDING, 0],
    ]);
    expect(steps.map((s) => s.attempt_base)).toEqual([undefined, 1, 0]);
    const stored = await ledger.getJob(jobId, { withSteps: true });
    expect(stored?.state).toBe(JobState.QUEUED);
    expect(stored?.steps?.[1]).toMatchObject({ state: StepState.PENDING, attempt_no: 1, attempt_base: 1 });
    expect(stored?.steps?.[1]?.error).toBeUndefined();
    expect(stored?.steps?.[1]?.lease_id).toBeUndefined();
    expect(stored?.steps?.[0]?.output_ref).toBe("https://acct/out/ocr");

    const eventsAfter = (await ledger.listEvents(jobId)).events;
    expect(eventsAfter.slice(0, eventsBefore.length)).toEqual(eventsBefore);
    expect(eventsAfter.at(-1)).toMatchObject({ type: "JOB_REDRIVEN", step_id: "embedding" });

    // The redriven job runs again like a new one; attempt numbers go on (message ids never repeat).
    await ledger.transitionJob(jobId, JobState.RUNNING);
    expect((await ledger.transitionStep(jobId, "embedding", StepState.DISPATCHED, { lease_id: "B2" })).attempt_no).toBe(2);
  });

  it("defaults to the first unfinished step and refuses what cannot be redriven", async () => {
    const jobId = await failedAtEmbedding();
    await expect(ledger.resetForRedrive(jobId, "ocr")).rejects.toBeInstanceOf(IllegalTransitionError); // ocr succeeded
    await expect(ledger.resetForRedrive(jobId, "sis")).rejects.toThrow(/earlier step "embedding"/);
    await expect(ledger.resetForRedrive(jobId, "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const read = await ledger.getJob(jobId);
    const { steps } = await ledger.resetForRedrive(jobId, undefined, { ifMatch: read!.etag });
    expect(steps[1]?.state).toBe(StepState.PENDING);
    await expect(ledger.resetForRedrive(jobId)).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION", from: "QUEUED" });
  });

  it.each([1, 2, 3, 4, 5])("lets exactly one of three concurrent redrives win (round %i)", async () => {
    const jobId = await failedAtEmbedding();
    const results = await Promise.allSettled([ledger.resetForRedrive(jobId), ledger.resetForRedrive(jobId), ledger.resetForRedrive(jobId)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "ILLEGAL_TRANSITION" });
    const job = await ledger.getJob(jobId, { withSteps: true });
    expect(job).toMatchObject({ state: JobState.QUEUED, redrive_count: 1 });
    expect(job?.steps?.map((s) => s.state)).toEqual([StepState.SUCCEEDED, StepState.PENDING, StepState.PENDING]);
  });
});
