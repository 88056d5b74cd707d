/**
 * Job and step state machines (docs/architecture.md, "State machines"). Pure: the ledger consults these
 * before every conditional write, so an illegal transition is never applied.
 */

export const JobState = {
  QUEUED: "QUEUED",
  RUNNING: "RUNNING",
  PAUSED: "PAUSED",
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
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
} as const;
export type StepState = (typeof StepState)[keyof typeof StepState];

const J = JobState;
const S = StepState;

/**
 * Ordinary job transitions. Leaving FAILED (redrive) is deliberately absent:
 * it is the separate `redriveJob` operation, so terminal states stay immutable
 * for everything else.
 *
 * CANCELLING → SUCCEEDED | FAILED is allowed: a cancel is best effort, and when
 * the last step finishes (or fails) before the cancel reaches the worker the
 * job reports what actually happened — calling a job whose output exists
 * "CANCELLED" would hide that output.
 */
const jobTransitions: Readonly<Record<JobState, readonly JobState[]>> = {
  [J.QUEUED]: [J.RUNNING, J.CANCELLING, J.FAILED],
  [J.RUNNING]: [J.SUCCEEDED, J.FAILED, J.PAUSED, J.CANCELLING],
  [J.PAUSED]: [J.RUNNING, J.CANCELLING],
  [J.CANCELLING]: [J.CANCELLED, J.SUCCEEDED, J.FAILED],
  [J.SUCCEEDED]: [],
  [J.FAILED]: [],
  [J.CANCELLED]: [],
};

/**
 * Ordinary step transitions. DISPATCHED → SUCCEEDED | FAILED exists because a
 * RESULT may overtake (or replace) its ACK. Resetting a finished step is the
 * redrive operation, not a transition.
 */
const stepTransitions: Readonly<Record<StepState, readonly StepState[]>> = {
  [S.PENDING]: [S.DISPATCHED, S.CANCELLED],
  [S.DISPATCHED]: [S.ACKED, S.RETRY_WAIT, S.SUCCEEDED, S.FAILED, S.CANCELLED],
  [S.ACKED]: [S.SUCCEEDED, S.FAILED, S.RETRY_WAIT, S.CANCELLED],
  [S.RETRY_WAIT]: [S.DISPATCHED, S.CANCELLED],
  [S.SUCCEEDED]: [],
  [S.FAILED]: [],
  [S.CANCELLED]: [],
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

export function isTerminalStepState(state: StepState): boolean {
  return state === S.SUCCEEDED || state === S.FAILED || state === S.CANCELLED;
}

/** A step that holds (or is about to hold) a worker's attention. */
export function isActiveStepState(state: StepState): boolean {
  return state === S.DISPATCHED || state === S.ACKED || state === S.RETRY_WAIT;
}
