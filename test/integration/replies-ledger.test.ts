import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { JobState, Ledger, StepState } from "../../lib/ledger/index.js";
import { loadContracts, type Reply } from "../../lib/contracts/index.js";
import { productionStepDefaults } from "../../lib/config/settings.js";
import type { TableNames } from "../../lib/config/names.js";
import { handleReply, type ReplyDependencies } from "../../lib/replies/handle-reply.js";
import type { RaisedReply } from "../../lib/orchestration/types.js";
import { tableProxy } from "../../bench/table-proxy.js";

const contracts = loadContracts();
const storage = { kind: "connectionString" as const, connectionString: azuriteConnectionString() };
let tables: TableNames;
let ledger: Ledger;
let seq = 0;

beforeAll(async () => {
  tables = uniqueTableNames();
  ledger = await Ledger.connect({ storage, tables });
});

/** Replies handled through `on`, remembering which were raised to the orchestration. */
function handler(on: Ledger, bound?: number) {
  const raised: Reply[] = [];
  const deps: ReplyDependencies = {
    contracts,
    ledger: on,
    stepDefaults: productionStepDefaults,
    notify: async (reply) => (raised.push(reply), true),
    ...(bound !== undefined ? { ignoredEventsPerStep: bound } : {}),
  };
  return {
    raised,
    handle: (reply: Partial<Reply>) =>
      handleReply({ step_id: "ocr", tenant_id: "tenant-r", attempt_no: 1, timestamp: new Date().toISOString(), ...reply }, deps),
  };
}

async function dispatchedOcr(patch: { ack_event?: boolean } = {}): Promise<{ jobId: string; lease: string }> {
  const created = await ledger.createJob(
    {
      tenant_id: "tenant-r",
      request_type: "OCR",
      protocol_id: "atomic-ocr.v1",
      input_ref: "https://acct/inputs/doc.png",
      output_ref: "https://acct/outputs/doc/",
      payload: {},
    },
    [{ step_id: "ocr", step_type: "OCR", service: "platform-ocr" }],
    { key: `replies-${++seq}`, bodyHash: "h" },
  );
  if (created.outcome !== "created") throw new Error(created.outcome);
  const lease = `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`;
  await ledger.transitionJob(created.job.job_id, JobState.RUNNING);
  await ledger.transitionStep(created.job.job_id, "ocr", StepState.DISPATCHED, { lease_id: lease, lease_ms: 60_000, ...patch });
  return { jobId: created.job.job_id, lease };
}

const ignoredEvents = async (jobId: string) => (await ledger.listEvents(jobId, { limit: 1000 })).events.filter((e) => e.type === "REPLY_IGNORED");

describe("the reply handler on the job's rows", () => {
  it("ignores a reply for a job the ledger calls finished as orchestration_gone, without raising it", async () => {
    const { jobId, lease } = await dispatchedOcr();
    await ledger.transitionJob(jobId, JobState.FAILED);
    const { raised, handle } = handler(ledger);
    expect(await handle({ type: "ACK", job_id: jobId, lease_id: lease })).toEqual({ kind: "ignored", reason: "orchestration_gone" });
    expect(raised).toEqual([]);
    expect((await ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.DISPATCHED);
    expect((await ignoredEvents(jobId)).map((e) => e.details?.reason)).toEqual(["orchestration_gone"]);
  });

  it("records at most the bound of REPLY_IGNORED events per step, counted on the step row, and changes nothing else", async () => {
    const { jobId } = await dispatchedOcr();
    const before = await ledger.getStep(jobId, "ocr");
    const { handle } = handler(ledger, 5);
    const stale = { type: "ACK" as const, job_id: jobId, lease_id: "00000000-0000-4000-8000-0000000000ff" };
    // Concurrent ones too: each batch is conditional on the count it read.
    await Promise.all(Array.from({ length: 4 }, () => handle(stale)));
    for (let i = 0; i < 4; i++) expect(await handle(stale)).toEqual({ kind: "ignored", reason: "stale_lease" });
    expect(await ignoredEvents(jobId)).toHaveLength(5);
    const after = await ledger.getStep(jobId, "ocr");
    const { etag: _b, ...stepBefore } = before!;
    const { etag: _a, ...stepAfter } = after!;
    expect(stepAfter).toEqual(stepBefore);
    // Past the bound nothing is written at all: the step row keeps its ETag.
    await handle(stale);
    expect((await ledger.getStep(jobId, "ocr"))?.etag).toBe(after!.etag);
  });

  it("decides again on fresh rows when another process moved the step since this one last saw it", async () => {
    const { jobId, lease } = await dispatchedOcr();
    const here = await Ledger.connect({ storage, tables, ensureTables: false });
    const { raised, handle } = handler(here);
    // This process sees attempt 1 (its ACK applies), then another process retries the step as attempt 2.
    expect(await handle({ type: "ACK", job_id: jobId, lease_id: lease })).toEqual({ kind: "applied", type: "ACK" });
    await ledger.transitionStep(jobId, "ocr", StepState.RETRY_WAIT);
    const second = "00000000-0000-4000-8000-0000000000aa";
    await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: second });
    // Its snapshot still says attempt 1: the ACK of attempt 2 must not be taken for a stale one.
    expect(await handle({ type: "ACK", job_id: jobId, lease_id: second, attempt_no: 2 })).toEqual({ kind: "applied", type: "ACK" });
    // And attempt 1's RESULT, which its snapshot would have applied, is stale now.
    expect(
      await handle({ type: "RESULT", job_id: jobId, lease_id: lease, status: "SUCCEEDED", output_ref: "https://acct/outputs/doc/" } as Partial<Reply>),
    ).toEqual({ kind: "ignored", reason: "stale_attempt" });
    expect(raised.map((r) => [r.type, r.attempt_no])).toEqual([
      ["ACK", 1],
      ["ACK", 2],
    ]);
    expect(await ledger.getStep(jobId, "ocr")).toMatchObject({ state: StepState.ACKED, attempt_no: 2, lease_id: second });
  });

  it("handles an ACK and its RESULT arriving at once in one process in turn: one write each, no conflict to retry", async () => {
    const { jobId, lease } = await dispatchedOcr();
    const proxy = await tableProxy(azuriteConnectionString());
    try {
      const here = await Ledger.connect({ storage: { kind: "connectionString", connectionString: proxy.connectionString }, tables, ensureTables: false });
      await here.snapshot(jobId);
      const { handle } = handler(here);
      const start = proxy.requests;
      const outcomes = await Promise.all([
        handle({ type: "ACK", job_id: jobId, lease_id: lease }),
        handle({ type: "RESULT", job_id: jobId, lease_id: lease, status: "SUCCEEDED", output_ref: "https://acct/outputs/doc/" } as Partial<Reply>),
      ]);
      expect(outcomes).toEqual([
        { kind: "applied", type: "ACK" },
        { kind: "applied", type: "RESULT" },
      ]);
      expect(proxy.requests - start).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it("raises a v3 attempt's RESULT with the time it came and writes nothing; a copy in this process is a duplicate, and a failed raise marks nothing", async () => {
    const { jobId, lease } = await dispatchedOcr({ ack_event: false });
    const proxy = await tableProxy(azuriteConnectionString());
    try {
      const here = await Ledger.connect({ storage: { kind: "connectionString", connectionString: proxy.connectionString }, tables, ensureTables: false });
      await here.snapshot(jobId);
      const raised: RaisedReply[] = [];
      let failNext = true;
      const deps: ReplyDependencies = {
        contracts,
        ledger: here,
        stepDefaults: productionStepDefaults,
        notify: async (reply) => {
          if (failNext) {
            failNext = false;
            throw new Error("extension unreachable");
          }
          raised.push(reply);
          return true;
        },
      };
      const result = {
        type: "RESULT",
        job_id: jobId,
        step_id: "ocr",
        tenant_id: "tenant-r",
        attempt_no: 1,
        lease_id: lease,
        status: "SUCCEEDED",
        output_ref: "https://acct/outputs/doc/",
        timestamp: new Date().toISOString(),
      };
      const before = await here.getStep(jobId, "ocr");
      const start = proxy.requests;
      await expect(handleReply(result, deps)).rejects.toThrow("extension unreachable");
      expect(proxy.requests - start).toBe(0);
      // The copy redelivered after the failed raise is raised, not taken for a duplicate.
      const since = Date.now();
      expect(await handleReply(result, deps)).toEqual({ kind: "applied", type: "RESULT" });
      expect(proxy.requests - start).toBe(0);
      expect(raised).toHaveLength(1);
      expect(Date.parse(raised[0]!.received_at!)).toBeGreaterThanOrEqual(since - 1);
      expect((await ledger.getStep(jobId, "ocr"))?.etag).toBe(before!.etag);
      // Another copy is a duplicate, recorded as such and not raised again.
      expect(await handleReply(result, deps)).toEqual({ kind: "ignored", reason: "duplicate" });
      expect(raised).toHaveLength(1);
      expect((await ignoredEvents(jobId)).map((e) => e.details?.reason)).toEqual(["duplicate"]);
    } finally {
      await proxy.close();
    }
  });

  it("raises the ACK of an attempt opened by v2, and keeps that of a v3 attempt in the ledger; RESULTs are raised either way", async () => {
    for (const [opened, acksRaised] of [
      [{}, 1],
      [{ ack_event: false }, 0],
    ] as const) {
      const { jobId, lease } = await dispatchedOcr(opened);
      const { raised, handle } = handler(ledger);
      expect(await handle({ type: "ACK", job_id: jobId, lease_id: lease })).toEqual({ kind: "applied", type: "ACK" });
      expect(await handle({ type: "ACK", job_id: jobId, lease_id: lease })).toEqual({ kind: "ignored", reason: "duplicate" });
      expect((await ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.ACKED);
      expect(
        await handle({ type: "RESULT", job_id: jobId, lease_id: lease, status: "SUCCEEDED", output_ref: "https://acct/outputs/doc/" } as Partial<Reply>),
      ).toEqual({ kind: "applied", type: "RESULT" });
      // A v2 attempt's redelivered ACK is raised again (the first raise may have failed); a v3 one has nothing to raise.
      expect(raised.map((r) => r.type)).toEqual([...Array<string>(acksRaised * 2).fill("ACK"), "RESULT"]);
    }
  });
});
