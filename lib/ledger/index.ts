export { Ledger, type LedgerOptions } from "./ledger.js";
export { tenantPartition as tenantKey, tenantKeyIssue } from "./keys.js";
export type { Admission, InFlightLimits } from "./in-flight.js";
export type { LedgerTuning, JobSnapshot } from "./context.js";
export type { Change, JobChange, StepChange, Decision, Applied } from "./change.js";
export type { ListJobsOptions, ListEventsOptions, JobPage, EventPage } from "./queries.js";
export type { RedriveOptions } from "./redrive.js";
export { maxStepsPerJob, AdmissionRefusedError, type CreateOptions } from "./create-job.js";
export {
  JobState,
  StepState,
  canTransitionJob,
  canTransitionStep,
  isTerminalJobState,
  isCancelledJobState,
  isTerminalStepState,
  isActiveStepState,
  isPassedStepState,
  isJobState,
  isStepState,
} from "./states.js";
export {
  LedgerError,
  LedgerErrorCode,
  IllegalTransitionError,
  StaleEtagError,
  StaleAttemptError,
  NotFoundError,
  ConcurrentUpdateError,
  CreationInProgressError,
  InvalidContinuationError,
  EntityTooLargeError,
  InvalidKeyError,
  InvalidInputError,
  isLedgerError,
} from "./errors.js";
export {
  EventType,
  JobMode,
  type CreateJobResult,
  type CreateOutcome,
  type FailureInfo,
  type IdempotencyClaim,
  type Job,
  type JobPatch,
  type JsonObject,
  type LedgerEvent,
  type NewEvent,
  type NewJob,
  type NewStep,
  type Ref,
  type Step,
  type StepPatch,
  type StepUpdateOptions,
  type UpdateOptions,
} from "./types.js";
