import type { AppServices } from "../../services.js";
import { notInLedger } from "../errors.js";
import type { Ref } from "../../contracts/index.js";
import { JobState, StepState, isCancelledJobState, type Decision, type FailureInfo, type JobChange, type JsonObject } from "../../ledger/index.js";
import { reviewCall } from "../../review/condition.js";
import { recordReviewDecision, type RecordedReview, type ReviewDecisionRequest } from "../../review/decision.js";
import type { CarriedSettle, ReviewStart } from "../types.js";
import { recordSettled, settleChange, settlementOnly } from "./settle.js";
import { recordReviewOpened, recordReviewWait } from "../../telemetry/jobs.js";

type Services = Pick<AppServices, "ledger" | "contracts">;

export interface OpenReviewRequest {
  job_id: string;
  step_id: string;
  /** What the step before it produced: the review passes it on unchanged. */
  input_ref: Ref;
  /** The previous step's RESULT metrics, when it ran in this orchestration run. */
  metrics?: JsonObject;
  /** The previous step's settlement, written in the same batch. */
  settle?: CarriedSettle;
}

/**
 * Opens a review step: decides from the registry's `when`, the command's part for the step and
 * the previous RESULT's metrics whether the job stops for a person. Either the step goes
 * AWAITING_APPROVAL with the job (the review queue lists it), or it is SKIPPED; both with the
 * previous step's settlement, in one batch, the reason on the step's event. Running twice
 * returns what the first run decided; a cancelled job gets the settlement and nothing else.
 */
export async function openReview(request: OpenReviewRequest, services: Services): Promise<ReviewStart> {
  const now = new Date().toISOString();
  const applied = await services.ledger.change(request.job_id, (snapshot): Decision<{ start: ReviewStart; settled: boolean; opened?: true }> => {
    const step = snapshot.steps.find((s) => s.step_id === request.step_id);
    if (!step) throw notInLedger(`Step ${request.job_id}/${request.step_id}`);
    const settle = request.settle ? settleChange(snapshot, request.settle, now) : undefined;
    if (step.state === StepState.SKIPPED) return settlementOnly(settle, { start: { kind: "skipped" } });
    // Opened already (and perhaps decided since: the decision's event is on its way).
    if (step.state !== StepState.PENDING) return settlementOnly(settle, { start: { kind: "awaiting" } });
    const job = snapshot.job;
    if (isCancelledJobState(job.state)) return settlementOnly(settle, { start: { kind: "cancelled" } });
    const protocol = services.contracts.registry.protocols.find((p) => p.protocol_id === job.protocol_id);
    const call = reviewCall(protocol?.steps.find((s) => s.step_id === step.step_id)?.when, step.payload, request.metrics);
    const details: JsonObject = { ...call };
    const steps = settle ? [settle] : [];
    if (!call.review) {
      const skip = {
        step_id: step.step_id,
        to: StepState.SKIPPED,
        patch: { input_ref: request.input_ref, output_ref: request.input_ref, completed_at: now },
        details,
      };
      return {
        change: { steps: [...steps, skip], job: [{ patch: { current_step_id: step.step_id } }] },
        result: { start: { kind: "skipped" }, settled: settle !== undefined },
      };
    }
    // A pause that landed after the previous step ended: there is nothing dispatched to hold back.
    const resume: JobChange[] = job.state === JobState.PAUSED ? [{ to: JobState.RUNNING, details: { reason: "review opened while pausing" } }] : [];
    const open = { step_id: step.step_id, to: StepState.AWAITING_APPROVAL, patch: { input_ref: request.input_ref }, details };
    return {
      change: { steps: [...steps, open], job: [...resume, { to: JobState.AWAITING_APPROVAL, patch: { current_step_id: step.step_id }, details }] },
      result: { start: { kind: "awaiting" }, settled: settle !== undefined, opened: true },
    };
  });
  if (!applied) throw notInLedger(`Job ${request.job_id}`);
  if (applied.result.settled) recordSettled(applied.snapshot, request.settle!);
  if (applied.result.opened) recordReviewOpened(applied.snapshot.job.protocol_id);
  return applied.result.start;
}

/** The decision `on_timeout` makes when nobody decided in time; a decision already made stands. */
export async function decideReview(request: ReviewDecisionRequest, services: Services): Promise<RecordedReview> {
  const recorded = await recordReviewDecision(services.ledger, request);
  if (!recorded) throw notInLedger(`Job ${request.job_id}`);
  return recorded;
}

export interface CancelReviewRequest {
  job_id: string;
  step_id: string;
  /** Why, when it is not the job's cancel (e.g. DEADLINE_EXCEEDED). */
  error?: FailureInfo;
}

/** A cancelled (or timed-out) job's review step → CANCELLED, unless it was decided first. */
export async function cancelReview(request: CancelReviewRequest, services: Services): Promise<void> {
  const applied = await services.ledger.change(request.job_id, (snapshot): Decision<string | undefined> => {
    const step = snapshot.steps.find((s) => s.step_id === request.step_id);
    if (step?.state !== StepState.AWAITING_APPROVAL) return { result: undefined, settled: step === undefined || step.state !== StepState.PENDING };
    return {
      change: { steps: [{ step_id: step.step_id, to: StepState.CANCELLED, ...(request.error ? { patch: { error: request.error } } : {}) }] },
      result: step.updated_at,
    };
  });
  if (!applied) throw notInLedger(`Job ${request.job_id}`);
  if (applied.wrote && applied.result !== undefined) recordReviewWait(applied.result, "cancelled");
}
