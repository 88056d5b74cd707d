import type { Directive, Ref, Reply } from "../contracts/index.js";
import type { FailureInfo, JobState, JsonObject } from "../ledger/index.js";
import type { StepTiming } from "./step-timing.js";
import type { AttemptTrace } from "../telemetry/attempts.js";

/** A step the orchestration still has to run, as the ledger knows it. */
export interface PlannedStep {
  step_id: string;
  step_type: string;
  /** Attempts already made; the next one is attempt_no + 1. */
  attempt_no: number;
  /** Attempts made before the last redrive: the retry budget counts from here. */
  attempt_base: number;
  timing: StepTiming;
  /** A REVIEW step: Lucius waits for a decision instead of dispatching (orchestration v4 on). */
  review?: ReviewTiming;
}

/** How long a review waits, and what its timeout decides. */
export interface ReviewTiming {
  /** Absent: the review waits until decided, cancelled or the job's deadline. */
  timeout_ms?: number;
  /** @default "reject" */
  on_timeout: "approve" | "reject";
}

/** How a step ended for the orchestration. A success whose settlement is still to be written carries it to the next activity (v2 on). */
export type StepResult =
  { kind: "succeeded"; output_ref: Ref; settle?: CarriedSettle; metrics?: JsonObject } | { kind: "failed"; error: FailureInfo } | { kind: "cancelled" };

/** How `openReview` opened a review step. */
export type ReviewStart = { kind: "awaiting" } | { kind: "skipped" } | { kind: "cancelled" };

/** What `startJob` tells the orchestration: the job's state and the steps left, in order. */
export interface JobPlan {
  job_id: string;
  state: JobState;
  steps: PlannedStep[];
  /** Input of the first step left: the job's input, or the last succeeded step's output. */
  input_ref: Ref;
  /** First retry interval for the orchestration's own activities (scaled like every delay). */
  activity_retry_ms: number;
  /** ISO time by which the job must have ended; a v4 instance fails it then. */
  deadline?: string;
  /**
   * The first step's attempt, opened (and its directive published) with the job's start
   * (v5 on); `steps[0].attempt_no` counts the attempts before it. Absent: the orchestration
   * opens it with `beginAttempt`. Unpublished when the job is being cancelled.
   */
  first?: DispatchedAttempt;
}

export type AttemptStart =
  | {
      kind: "dispatched";
      directive: Directive;
      /** The directive is on the bus already (v3 on); absent or false: publish it. */
      published?: boolean;
      /** false: the ACK is not raised as an event, only written to the ledger (v3 on). */
      ack_event?: boolean;
    }
  /** The job is being cancelled: nothing was dispatched. */
  | { kind: "cancelled" };

/** An attempt that `beginAttempt` (or, v5 on, `startJob`) opened. */
export type DispatchedAttempt = Extract<AttemptStart, { kind: "dispatched" }>;

/**
 * A reply as the replies trigger raises it to the orchestration. For an attempt that keeps
 * its ACK in the ledger (v3 on) a RESULT is not written when it arrives: it carries
 * `received_at`, and the step's settlement writes it as `result_received_at`.
 */
export type RaisedReply = Reply & { received_at?: string };

/** A RESULT as raised to the orchestration (the contracts' ResultReply, maybe with `received_at`). */
export type RaisedResult = Extract<Reply, { type: "RESULT" }> & { received_at?: string };

/** How one attempt ended, from the orchestration's point of view. */
export type AttemptEnd =
  | { kind: "result"; reply: RaisedResult }
  | { kind: "timeout"; phase: "ack" | "lease" }
  | { kind: "cancelled" }
  /** The job's deadline came first (v4 on). */
  | { kind: "deadline" };

/** Ledger change for one attempt's end. */
export interface SettleStepRequest {
  job_id: string;
  step_id: string;
  attempt_no: number;
  lease_id: string;
  to: "SUCCEEDED" | "FAILED" | "RETRY_WAIT" | "CANCELLED";
  output_ref?: Ref;
  error?: FailureInfo;
  failure_class?: string;
  /** When the attempt's RESULT reached Lucius, for an attempt whose RESULT was not written on arrival. */
  result_received_at?: string;
  /** The attempt's tenant, correlation id and traceparent, for its span and log line. */
  trace?: AttemptTrace;
}

/** A step's settlement carried by the activity that follows it (job_id is that activity's). */
export type CarriedSettle = Omit<SettleStepRequest, "job_id">;

export interface FinishJobRequest {
  job_id: string;
  state: "SUCCEEDED" | "FAILED" | "CANCELLED";
  output_ref?: Ref;
  error?: FailureInfo;
  /** The last step's settlement, written in the same batch (orchestration v2 on). */
  settle?: CarriedSettle;
}

/** Errors the orchestrator itself reports, beside the workers' own codes. */
export const OrchestrationErrorCode = {
  ackTimeout: "ACK_TIMEOUT",
  leaseExpired: "LEASE_EXPIRED",
  attemptsExhausted: "ATTEMPTS_EXHAUSTED",
  dispatchFailed: "DISPATCH_FAILED",
  /** A SUCCEEDED RESULT named an output_ref outside where the directive said to write: the step fails, NON_RETRYABLE. */
  outputOutsideTarget: "OUTPUT_OUTSIDE_TARGET",
  /** The job's deadline (command `deadline`, protocol `sla_seconds`) passed before it ended. */
  deadlineExceeded: "DEADLINE_EXCEEDED",
  /** A reviewer (or the review's timeout) rejected the job. */
  rejected: "REJECTED",
} as const;
