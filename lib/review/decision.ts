import { recordReviewWait } from "../telemetry/jobs.js";
import { ReviewStepType } from "./condition.js";
import { JobState, StepState, type Decision, type FailureInfo, type JobSnapshot, type Ledger } from "../ledger/index.js";

/** A reviewer's (or a timeout's) verdict on a step awaiting approval. */
export const ReviewDecision = { approve: "approve", reject: "reject" } as const;
export type ReviewDecision = (typeof ReviewDecision)[keyof typeof ReviewDecision];

/** The error a rejected job ends with. */
export const reviewRejectedCode = "REJECTED";

/** Who decided when nobody did in time: the step's `on_timeout`. */
export const timeoutReviewer = "timeout";

/** What the review event carries to the orchestration (JobEventNames.review). */
export interface ReviewEvent {
  step_id: string;
  decision: ReviewDecision;
  /** `apiKey:<name>`, `entra:<oid>`, or {@link timeoutReviewer}. */
  by: string;
  comment?: string;
}

export interface ReviewDecisionRequest extends ReviewEvent {
  job_id: string;
}

export type RecordedReview =
  /** This call wrote the decision. */
  | { outcome: "decided"; decision: ReviewDecision; error?: FailureInfo; job_state?: JobState; awaiting_since?: string }
  /** The step was decided before (by someone else, or a timeout); what was decided. */
  | { outcome: "already"; decision: ReviewDecision; error?: FailureInfo }
  /** The step is not awaiting approval (or the job no longer is): nothing was written. */
  | { outcome: "refused"; step_state?: string; job_state: string }
  | { outcome: "unknown-step" };

export function rejection(by: string, comment?: string): FailureInfo {
  return {
    code: reviewRejectedCode,
    message: comment ? `Rejected by ${by}: ${comment}` : `Rejected by ${by}`,
    by,
    ...(comment !== undefined ? { comment } : {}),
  };
}

function decide(snapshot: JobSnapshot, request: ReviewDecisionRequest, now: string): Decision<RecordedReview> {
  const step = snapshot.steps.find((s) => s.step_id === request.step_id);
  if (!step) return { result: { outcome: "unknown-step" }, settled: true };
  // A decided review step keeps its decision: SUCCEEDED is an approval, FAILED a rejection.
  if (step.state === StepState.SUCCEEDED && step.step_type === ReviewStepType)
    return { result: { outcome: "already", decision: ReviewDecision.approve }, settled: true };
  if (step.state === StepState.FAILED && step.error?.code === reviewRejectedCode) {
    return { result: { outcome: "already", decision: ReviewDecision.reject, error: step.error }, settled: true };
  }
  if (step.state !== StepState.AWAITING_APPROVAL || snapshot.job.state !== JobState.AWAITING_APPROVAL) {
    return { result: { outcome: "refused", step_state: step.state, job_state: snapshot.job.state } };
  }
  const details = { decision: request.decision, by: request.by, ...(request.comment !== undefined ? { comment: request.comment } : {}) };
  if (request.decision === ReviewDecision.approve) {
    // The review changes nothing in the document: the next step reads what this one was given.
    return {
      change: {
        steps: [
          {
            step_id: step.step_id,
            to: StepState.SUCCEEDED,
            patch: { ...(step.input_ref !== undefined ? { output_ref: step.input_ref } : {}), completed_at: now },
            details,
          },
        ],
        job: [{ to: JobState.RUNNING, details }],
      },
      // The step's row last changed when it started awaiting approval: the wait is from then.
      result: { outcome: "decided", decision: request.decision, awaiting_since: step.updated_at },
    };
  }
  const error = rejection(request.by, request.comment);
  // The job stays AWAITING_APPROVAL until its orchestration ends it FAILED (and gives back its in-flight place).
  return {
    change: { steps: [{ step_id: step.step_id, to: StepState.FAILED, patch: { error, failure_class: "NON_RETRYABLE", completed_at: now }, details }] },
    result: { outcome: "decided", decision: request.decision, error, awaiting_since: step.updated_at },
  };
}

/**
 * Writes a review decision if the step is awaiting approval, in one batch with its event (which
 * names the decision, who made it and the comment). Whoever comes second — a second approve, a
 * timeout after a person, a person after a timeout — finds it decided and writes nothing.
 * Undefined when there is no such job.
 */
export async function recordReviewDecision(ledger: Ledger, request: ReviewDecisionRequest): Promise<RecordedReview | undefined> {
  const now = new Date().toISOString();
  const applied = await ledger.change(request.job_id, (snapshot) => decide(snapshot, request, now));
  if (applied?.result.outcome !== "decided") return applied?.result;
  const { awaiting_since, ...decided } = applied.result;
  if (awaiting_since !== undefined) recordReviewWait(awaiting_since, decided.decision);
  // The job's state as the decision left it: RUNNING once approved; a rejected job's orchestration ends it FAILED.
  return { ...decided, job_state: applied.snapshot.job.state };
}
