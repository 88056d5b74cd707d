import { describe, expect, it } from "vitest";
import { waitingFor } from "../../lib/api/waiting-for.js";
import { JobState, StepState, type Job, type Step } from "../../lib/ledger/index.js";

const at = "2026-12-03T10:00:00.000Z";
const job = (state: JobState, extra: Partial<Job> = {}): Job => ({
  job_id: "j1",
  tenant_id: "t",
  request_type: "OCR->EMBEDDING",
  protocol_id: "ocr-embedding.v1",
  state,
  mode: "DEFAULT",
  input_ref: "https://acct/inputs/t/doc.png",
  output_ref: "https://acct/outputs/t/j1/",
  payload: {},
  step_count: 2,
  created_at: at,
  updated_at: at,
  redrive_count: 0,
  etag: "e",
  ...extra,
});
const step = (step_id: string, state: StepState, extra: Partial<Step> = {}): Step => ({
  job_id: "j1",
  step_id,
  index: step_id === "ocr" ? 0 : 1,
  step_type: step_id.toUpperCase(),
  service: `platform-${step_id}`,
  state,
  attempt_no: state === StepState.PENDING ? 0 : 1,
  created_at: at,
  updated_at: at,
  etag: "e",
  ...extra,
});

describe("waitingFor: what a job waits for, from its rows", () => {
  it("names the worker and the attempt a running job waits on, and until when", () => {
    const lease = "2026-12-03T10:15:00.000Z";
    expect(waitingFor(job(JobState.RUNNING, { current_step_id: "ocr" }), [step("ocr", StepState.DISPATCHED), step("embedding", StepState.PENDING)])).toEqual({
      kind: "ack",
      step_id: "ocr",
      description: "the platform-ocr worker to ACK attempt 1 of step ocr",
    });
    expect(
      waitingFor(job(JobState.RUNNING, { current_step_id: "ocr" }), [
        step("ocr", StepState.ACKED, { lease_expires_at: lease }),
        step("embedding", StepState.PENDING),
      ]),
    ).toEqual({
      kind: "result",
      step_id: "ocr",
      until: lease,
      description: "the platform-ocr worker's RESULT for attempt 1 of step ocr",
    });
    expect(
      waitingFor(job(JobState.RUNNING, { current_step_id: "ocr" }), [step("ocr", StepState.RETRY_WAIT), step("embedding", StepState.PENDING)])?.description,
    ).toBe("the backoff before attempt 2 of step ocr");
  });

  it("says a reviewer is awaited, with the job's deadline", () => {
    const deadline = "2026-12-03T12:00:00.000Z";
    const steps = [step("ocr", StepState.SUCCEEDED), step("review", StepState.AWAITING_APPROVAL)];
    expect(waitingFor(job(JobState.AWAITING_APPROVAL, { current_step_id: "review", deadline }), steps)).toEqual({
      kind: "review",
      step_id: "review",
      until: deadline,
      description: "a reviewer to approve or reject step review",
    });
  });

  it("covers a job not started, paused or cancelling, and says nothing of a finished one", () => {
    const pending = [step("ocr", StepState.PENDING), step("embedding", StepState.PENDING)];
    expect(waitingFor(job(JobState.QUEUED), pending)?.kind).toBe("start");
    expect(waitingFor(job(JobState.PAUSED, { current_step_id: "ocr" }), [step("ocr", StepState.ACKED)])?.kind).toBe("resume");
    expect(waitingFor(job(JobState.CANCELLING, { current_step_id: "ocr" }), [step("ocr", StepState.ACKED)])?.kind).toBe("cancel");
    expect(waitingFor(job(JobState.SUCCEEDED), [step("ocr", StepState.SUCCEEDED)])).toBeUndefined();
  });
});
