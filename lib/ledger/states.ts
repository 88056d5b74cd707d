/**
 * Job and step state machines (docs/architecture.md, "State machines"). Pure: the ledger consults these
 * before every conditional write, so an illegal transition is never applied.
 */

export const JobState = {
  QUEUED: "QUEUED",
  RUNNING: "RUNNING",
  PAUSED: "PAUSED",
  /** A review step waits for a person's approve or reject (the tenant's review queue lists these). */
  AWAITING_APPROVAL: "AWAITING_APPROVAL",
  CANCELLING: "CANCELLING",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export const StepState = {
  PENDING: "PENDING",
  DISPATCHED: "DISPATCHED",
  ACKED: "ACKED",
  RETRY_WAIT: "RETRY_WAIT",
  /** A review step waiting for its decision; no worker holds it. */
  AWAITING_APPROVAL: "AWAITING_APPROVAL",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
  /** A review step whose condition did not call for a review: terminal, and the job goes on with the input it had. */
  SKIPPED: "SKIPPED",
} as const;
export type StepState = (typeof StepState)[keyof typeof StepState];

const J = JobState;
const S = StepState;

/**
 * Ordinary job transitions. Leaving FAILED (redrive) is deliberately absent:
 * it is the separate `resetForRedrive` operation, so terminal states stay immutable
 * for everything else.
 *
 * CANCELLING → SUCCEEDED | FAILED is allowed: a cancel is best effort, and when
 * the last step finishes (or fails) before the cancel reaches the worker the
 * job reports what actually happened — calling a job whose output exists
 * "CANCELLED" would hide that output.
 *
 * AWAITING_APPROVAL is entered from RUNNING when a review step opens and left
 * for RUNNING (approved), FAILED (rejected, or its deadline passed) or
 * CANCELLING. It is not paused: there is nothing dispatched to hold back.
 */
const jobTransitions: Readonly<Record<JobState, readonly JobState[]>> = {
  [J.QUEUED]: [J.RUNNING, J.CANCELLING, J.FAILED],
  [J.RUNNING]: [J.SUCCEEDED, J.FAILED, J.PAUSED, J.CANCELLING, J.AWAITING_APPROVAL],
  [J.AWAITING_APPROVAL]: [J.RUNNING, J.FAILED, J.CANCELLING],
  [J.PAUSED]: [J.RUNNING, J.CANCELLING],
  [J.CANCELLING]: [J.CANCELLED, J.SUCCEEDED, J.FAILED],
  [J.SUCCEEDED]: [],
  [J.FAILED]: [],
  [J.CANCELLED]: [],
};

/**
 * Ordinary step transitions. DISPATCHED → SUCCEEDED | FAILED exists because a
 * RESULT may overtake (or replace) its ACK. Resetting a finished step is the
 * redrive operation, not a transition. A review step never is DISPATCHED: it
 * goes PENDING → AWAITING_APPROVAL → SUCCEEDED (approved) | FAILED (rejected)
 * | CANCELLED, or PENDING → SKIPPED when its condition does not hold.
 */
const stepTransitions: Readonly<Record<StepState, readonly StepState[]>> = {
  [S.PENDING]: [S.DISPATCHED, S.CANCELLED, S.AWAITING_APPROVAL, S.SKIPPED],
  [S.DISPATCHED]: [S.ACKED, S.RETRY_WAIT, S.SUCCEEDED, S.FAILED, S.CANCELLED],
  [S.ACKED]: [S.SUCCEEDED, S.FAILED, S.RETRY_WAIT, S.CANCELLED],
  [S.RETRY_WAIT]: [S.DISPATCHED, S.CANCELLED],
  [S.AWAITING_APPROVAL]: [S.SUCCEEDED, S.FAILED, S.CANCELLED],
  [S.SUCCEEDED]: [],
  [S.FAILED]: [],
  [S.CANCELLED]: [],
  [S.SKIPPED]: [],
};

export const allJobStates: readonly JobState[] = Object.values(JobState);
export const allStepStates: readonly StepState[] = Object.values(StepState);

export function isJobState(value: unknown): value is JobState {
  return typeof value === "string" && Object.hasOwn(jobTransitions, value);
}

export function isStepState(value: unknown): value is StepState {
  return typeof value === "string" && Object.hasOwn(stepTransitions, value);
}

export function canTransitionJob(from: JobState, to: JobState): boolean {
  return jobTransitions[from]?.includes(to) ?? false;
}

export function canTransitionStep(from: StepState, to: StepState): boolean {
  return stepTransitions[from]?.includes(to) ?? false;
}

export function isTerminalJobState(state: JobState): boolean {
  return state === J.SUCCEEDED || state === J.FAILED || state === J.CANCELLED;
}

/** A job whose cancel has been asked for (CANCELLING) or done (CANCELLED): nothing more is dispatched for it. */
export function isCancelledJobState(state: JobState): boolean {
  return state === J.CANCELLING || state === J.CANCELLED;
}

export function isTerminalStepState(state: StepState): boolean {
  return state === S.SUCCEEDED || state === S.FAILED || state === S.CANCELLED || state === S.SKIPPED;
}

/** A step that is done without a failure: its successor runs (SUCCEEDED, or SKIPPED). */
export function isPassedStepState(state: StepState): boolean {
  return state === S.SUCCEEDED || state === S.SKIPPED;
}

/** A step that holds (or is about to hold) a worker's attention. */
export function isActiveStepState(state: StepState): boolean {
  return state === S.DISPATCHED || state === S.ACKED || state === S.RETRY_WAIT;
}
