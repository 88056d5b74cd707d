import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/storage.js";
import { queuedTwoStepJob, useProxiedLedger } from "../support/proxied-ledger.js";
import { JobState, StepState } from "../../lib/ledger/index.js";
import { loadSettings } from "../../lib/config/settings.js";
import { beginAttempt } from "../../lib/orchestration/activities/begin-attempt.js";
import { finishJob } from "../../lib/orchestration/activities/settle.js";
import type { CarriedSettle } from "../../lib/orchestration/types.js";
import type { Directive } from "../../lib/contracts/index.js";
import { directiveMessage } from "../../lib/bus/index.js";
import { RecordingBus } from "../support/recording-bus.js";
import { TopicNames } from "../../lib/config/names.js";

/**
 * Orchestration v2 writes a step's success in the batch of the activity after it. These tests
 * hold that batch to what a separate settleStep guaranteed: written once, with its event, never
 * lost to a cancel, and all-or-nothing with the dispatch it rides on.
 */
const settings = loadSettings({ AzureWebJobsStorage: azuriteConnectionString() });
const fixture = useProxiedLedger();
let seq = 0;

/** A running two-step job whose OCR attempt 1 has been dispatched. */
async function ocrDispatched(): Promise<{ jobId: string; ocr: Directive }> {
  const jobId = (await queuedTwoStepJob(fixture.ledger, "tenant-carry", `carry-${++seq}`)).job_id;
  await fixture.ledger.transitionJob(jobId, JobState.RUNNING);
  const opened = await beginAttempt(
    { job_id: jobId, step_id: "ocr", attempt_no: 1, input_ref: "https://acct/inputs/in.png", lease_ms: 60_000, last: false },
    { ledger: fixture.ledger, settings },
  );
  if (opened.kind !== "dispatched") throw new Error(opened.kind);
  return { jobId, ocr: opened.directive };
}

const succeeded = (d: Directive): CarriedSettle => ({
  step_id: d.step_id,
  attempt_no: d.attempt_no,
  lease_id: d.lease_id,
  to: "SUCCEEDED",
  output_ref: d.output_ref,
});
const stepChanges = async (jobId: string, stepId: string) =>
  (await fixture.ledger.listEvents(jobId, { limit: 1000 })).events
    .filter((e) => e.type === "STEP_STATE_CHANGED" && e.step_id === stepId)
    .map((e) => e.details?.to);
const embeddingStart = (jobId: string, ocr: Directive) => ({
  job_id: jobId,
  step_id: "embedding",
  attempt_no: 1,
  input_ref: ocr.output_ref,
  lease_ms: 60_000,
  last: true,
  settle: succeeded(ocr),
});

describe("a step's success carried by the next activity", () => {
  it("is written in the next step's dispatch batch: one request for both, each with its event; a rerun writes nothing", async () => {
    const { jobId, ocr } = await ocrDispatched();
    // A process that already holds the job's rows, as the one that dispatched OCR does.
    const holder = await fixture.viaProxy();
    await holder.snapshot(jobId);
    const before = fixture.proxy.requests;
    const first = await beginAttempt(embeddingStart(jobId, ocr), { ledger: holder, settings });
    expect(fixture.proxy.requests - before).toBe(1);
    const again = await beginAttempt(embeddingStart(jobId, ocr), { ledger: holder, settings });
    expect(again).toEqual(first);
    expect(await fixture.ledger.getStep(jobId, "ocr")).toMatchObject({ state: StepState.SUCCEEDED, output_ref: ocr.output_ref });
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.state).toBe(StepState.DISPATCHED);
    expect(await stepChanges(jobId, "ocr")).toEqual([StepState.DISPATCHED, StepState.SUCCEEDED]);
  });

  it("is written even when the job was cancelled meanwhile, and nothing is dispatched", async () => {
    const { jobId, ocr } = await ocrDispatched();
    await fixture.ledger.transitionJob(jobId, JobState.CANCELLING);
    expect(await beginAttempt(embeddingStart(jobId, ocr), { ledger: fixture.ledger, settings })).toEqual({ kind: "cancelled" });
    expect((await fixture.ledger.getStep(jobId, "ocr"))?.state).toBe(StepState.SUCCEEDED);
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.state).toBe(StepState.PENDING);
  });

  it("lands with the dispatch or not at all when the process dies at that request", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const victim = await fixture.viaProxy();
    await victim.snapshot(jobId);
    fixture.proxy.arm(1, "drop-request");
    await expect(beginAttempt(embeddingStart(jobId, ocr), { ledger: victim, settings })).rejects.toThrow();
    fixture.proxy.disarm();
    expect([(await fixture.ledger.getStep(jobId, "ocr"))?.state, (await fixture.ledger.getStep(jobId, "embedding"))?.state]).toEqual([
      StepState.DISPATCHED,
      StepState.PENDING,
    ]);
    // The orchestration retries the activity: both land.
    await beginAttempt(embeddingStart(jobId, ocr), { ledger: fixture.ledger, settings });
    expect([(await fixture.ledger.getStep(jobId, "ocr"))?.state, (await fixture.ledger.getStep(jobId, "embedding"))?.state]).toEqual([
      StepState.SUCCEEDED,
      StepState.DISPATCHED,
    ]);
  });

  it("rides on finishJob for the last step: step and job in one batch, once", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const opened = await beginAttempt(embeddingStart(jobId, ocr), { ledger: fixture.ledger, settings });
    if (opened.kind !== "dispatched") throw new Error(opened.kind);
    const last = succeeded(opened.directive);
    await finishJob({ job_id: jobId, state: "SUCCEEDED", output_ref: last.output_ref!, settle: last }, { ledger: fixture.ledger });
    await finishJob({ job_id: jobId, state: "SUCCEEDED", output_ref: last.output_ref!, settle: last }, { ledger: fixture.ledger });
    const job = await fixture.ledger.getJob(jobId, { withSteps: true });
    expect(job?.state).toBe(JobState.SUCCEEDED);
    expect(job?.steps?.map((s) => s.state)).toEqual([StepState.SUCCEEDED, StepState.SUCCEEDED]);
    expect(await stepChanges(jobId, "embedding")).toEqual([StepState.DISPATCHED, StepState.SUCCEEDED]);
  });

  it("is refused with the dispatch when it names an attempt the step has left", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const stale = { ...embeddingStart(jobId, ocr), settle: { ...succeeded(ocr), lease_id: "00000000-0000-4000-8000-000000000000" } };
    await expect(beginAttempt(stale, { ledger: fixture.ledger, settings })).rejects.toThrow();
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.state).toBe(StepState.PENDING);
  });
});

describe("beginAttempt that dispatches (orchestration v3)", () => {
  it("publishes the directive it opens and keeps the attempt's ACK in the ledger", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const bus = new RecordingBus();
    const opened = await beginAttempt({ ...embeddingStart(jobId, ocr), dispatch: true }, { ledger: fixture.ledger, settings, bus });
    if (opened.kind !== "dispatched") throw new Error(opened.kind);
    expect(opened).toMatchObject({ published: true, ack_event: false });
    expect(bus.sent).toEqual([{ topic: TopicNames.directives, messageId: directiveMessage(opened.directive).messageId }]);
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.ack_event).toBe(false);
  });

  it("leaves a refused publish to the orchestration, and a rerun publishes the same attempt under the same message id", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const bus = new RecordingBus(1);
    const refused = await beginAttempt({ ...embeddingStart(jobId, ocr), dispatch: true }, { ledger: fixture.ledger, settings, bus });
    if (refused.kind !== "dispatched") throw new Error(refused.kind);
    expect(refused.published).toBe(false);
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.state).toBe(StepState.DISPATCHED);
    // The activity run again (its first run stopped after the ledger write): the attempt as opened, published now.
    const rerun = await beginAttempt({ ...embeddingStart(jobId, ocr), dispatch: true }, { ledger: fixture.ledger, settings, bus });
    expect(rerun).toEqual({ ...refused, published: true });
    expect(bus.sent.map((s) => s.messageId)).toEqual([directiveMessage(refused.directive).messageId]);
  });

  it("publishes nothing for a v2 instance, whose ACKs are still raised", async () => {
    const { jobId, ocr } = await ocrDispatched();
    const bus = new RecordingBus();
    const opened = await beginAttempt(embeddingStart(jobId, ocr), { ledger: fixture.ledger, settings, bus });
    expect(opened).not.toHaveProperty("published");
    expect(bus.sent).toEqual([]);
    expect((await fixture.ledger.getStep(jobId, "embedding"))?.ack_event).toBeUndefined();
  });
});
