import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/storage.js";
import { queuedTwoStepJob, useProxiedLedger } from "../support/proxied-ledger.js";
import { JobState, StepState } from "../../lib/ledger/index.js";
import { loadContracts } from "../../lib/contracts/index.js";
import { loadSettings } from "../../lib/config/settings.js";
import { TopicNames } from "../../lib/config/names.js";
import { startJob } from "../../lib/orchestration/activities/start-job.js";
import { settleStep } from "../../lib/orchestration/activities/settle.js";
import { directiveMessage } from "../../lib/bus/index.js";
import { RecordingBus } from "../support/recording-bus.js";

/**
 * Orchestration v5 opens a job's first attempt in the batch that starts the job. These tests hold
 * that batch to what the separate `startJob` and `beginAttempt` guaranteed: one request for both
 * changes, each with its event, all or nothing, a rerun that hands back the attempt as opened,
 * and no dispatch for a job being cancelled.
 */
const settings = loadSettings({ AzureWebJobsStorage: azuriteConnectionString() });
const contracts = loadContracts();
const fixture = useProxiedLedger();
let seq = 0;

/** A QUEUED two-step job's id. */
const queuedJob = async () => (await queuedTwoStepJob(fixture.ledger, "tenant-start", `start-${++seq}`)).job_id;

const input = (jobId: string) => ({ job_id: jobId, tenant_id: "tenant-start", protocol_id: "ocr-embedding.v1", open_first: true });
const changes = async (jobId: string) =>
  (await fixture.ledger.listEvents(jobId, { limit: 1000 })).events.flatMap((e) =>
    e.type === "JOB_STATE_CHANGED" ? [`job ${e.details?.to}`] : e.type === "STEP_STATE_CHANGED" ? [`${e.step_id} ${e.details?.to}`] : [],
  );

describe("startJob opening the first attempt (orchestration v5)", () => {
  it("starts the job and dispatches its first step in one request, publishes the directive, and counts the attempt in the plan", async () => {
    const jobId = await queuedJob();
    // A process that already holds the job's rows, as the one that took the command does.
    const holder = await fixture.viaProxy();
    await holder.snapshot(jobId);
    const bus = new RecordingBus();
    const before = fixture.proxy.requests;
    const plan = await startJob(input(jobId), { ledger: holder, contracts, settings, bus });
    expect(fixture.proxy.requests - before).toBe(1);
    expect(plan.state).toBe(JobState.RUNNING);
    expect(plan.steps.map((s) => [s.step_id, s.attempt_no])).toEqual([
      ["ocr", 0],
      ["embedding", 0],
    ]);
    expect(plan.first).toMatchObject({
      kind: "dispatched",
      published: true,
      ack_event: false,
      directive: { step_id: "ocr", attempt_no: 1, input_ref: "https://acct/inputs/in.png" },
    });
    expect(bus.sent).toEqual([{ topic: TopicNames.directives, messageId: directiveMessage(plan.first!.directive).messageId }]);
    const step = await fixture.ledger.getStep(jobId, "ocr");
    expect(step).toMatchObject({ state: StepState.DISPATCHED, attempt_no: 1, lease_id: plan.first!.directive.lease_id, ack_event: false });
    expect((await fixture.ledger.getJob(jobId))?.current_step_id).toBe("ocr");
    expect(await changes(jobId)).toEqual(["job RUNNING", "ocr DISPATCHED"]);
  });

  it("hands back the attempt as it was opened when it runs again, writing nothing and publishing under the same message id", async () => {
    const jobId = await queuedJob();
    const bus = new RecordingBus(1);
    const first = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    expect(first.first?.published).toBe(false);
    const before = fixture.proxy.requests;
    const holder = await fixture.viaProxy();
    const again = await startJob(input(jobId), { ledger: holder, contracts, settings, bus });
    expect(again).toEqual({ ...first, first: { ...first.first, published: true } });
    // The rows were read, nothing was written.
    expect(fixture.proxy.requests - before).toBe(1);
    expect(bus.sent.map((s) => s.messageId)).toEqual([directiveMessage(first.first!.directive).messageId]);
    expect(await changes(jobId)).toEqual(["job RUNNING", "ocr DISPATCHED"]);
  });

  it("lands whole or not at all when the process dies at that request", async () => {
    const jobId = await queuedJob();
    const victim = await fixture.viaProxy();
    await victim.snapshot(jobId);
    const bus = new RecordingBus();
    fixture.proxy.arm(1, "drop-request");
    await expect(startJob(input(jobId), { ledger: victim, contracts, settings, bus })).rejects.toThrow();
    fixture.proxy.disarm();
    expect([(await fixture.ledger.getJob(jobId))?.state, (await fixture.ledger.getStep(jobId, "ocr"))?.state]).toEqual([JobState.QUEUED, StepState.PENDING]);
    expect(bus.sent).toEqual([]);
    // The orchestration retries the activity: both land, and the directive goes out once.
    const plan = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    expect([(await fixture.ledger.getJob(jobId))?.state, (await fixture.ledger.getStep(jobId, "ocr"))?.state]).toEqual([
      JobState.RUNNING,
      StepState.DISPATCHED,
    ]);
    expect(bus.sent.map((s) => s.messageId)).toEqual([directiveMessage(plan.first!.directive).messageId]);
  });

  it("dispatches nothing for a job cancelled before it started", async () => {
    const jobId = await queuedJob();
    await fixture.ledger.transitionJob(jobId, JobState.CANCELLING);
    const bus = new RecordingBus();
    const plan = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    expect(plan.state).toBe(JobState.CANCELLING);
    expect(plan).not.toHaveProperty("first");
    expect((await fixture.ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.PENDING);
    expect(bus.sent).toEqual([]);
  });

  it("gives a rerun overtaken by a cancel the opened attempt unpublished, so the orchestration can stop its worker", async () => {
    const jobId = await queuedJob();
    const bus = new RecordingBus();
    const opened = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    await fixture.ledger.transitionJob(jobId, JobState.CANCELLING);
    const rerun = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    expect(rerun.state).toBe(JobState.CANCELLING);
    expect(rerun.first).toEqual({ kind: "dispatched", directive: opened.first!.directive });
    expect(bus.sent).toHaveLength(1);
  });

  it("opens the next attempt of a redriven job's failed step, counting on from the attempts before", async () => {
    const jobId = await queuedJob();
    const bus = new RecordingBus();
    const opened = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    const directive = opened.first!.directive;
    await settleStep(
      {
        job_id: jobId,
        step_id: "ocr",
        attempt_no: 1,
        lease_id: directive.lease_id,
        to: "FAILED",
        error: { code: "X", message: "failed" },
        failure_class: "NON_RETRYABLE",
      },
      { ledger: fixture.ledger },
    );
    await fixture.ledger.transitionJob(jobId, JobState.FAILED);
    await fixture.ledger.resetForRedrive(jobId);
    const redriven = await startJob(input(jobId), { ledger: fixture.ledger, contracts, settings, bus });
    expect(redriven.steps[0]).toMatchObject({ step_id: "ocr", attempt_no: 1, attempt_base: 1 });
    expect(redriven.first?.directive).toMatchObject({ step_id: "ocr", attempt_no: 2 });
    expect(redriven.first?.directive.lease_id).not.toBe(directive.lease_id);
    expect(await fixture.ledger.getStep(jobId, "ocr")).toMatchObject({ state: StepState.DISPATCHED, attempt_no: 2 });
  });

  it("without open_first (v4 and before) only starts the job", async () => {
    const jobId = await queuedJob();
    const bus = new RecordingBus();
    const { open_first: _open, ...v4 } = input(jobId);
    const plan = await startJob(v4, { ledger: fixture.ledger, contracts, settings, bus });
    expect(plan.state).toBe(JobState.RUNNING);
    expect(plan).not.toHaveProperty("first");
    expect((await fixture.ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.PENDING);
    expect(bus.sent).toEqual([]);
  });
});
