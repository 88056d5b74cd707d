/**
 * The ledger's typed errors. Callers branch on `code` (and `retryable`), never
 * on message text; the HTTP layer maps codes to problem+json statuses.
 */
import { LuciusError } from "../errors.js";

export const LedgerErrorCode = {
  ILLEGAL_TRANSITION: "ILLEGAL_TRANSITION",
  STALE_ETAG: "STALE_ETAG",
  STALE_ATTEMPT: "STALE_ATTEMPT",
  NOT_FOUND: "NOT_FOUND",
  CONCURRENT_UPDATE: "CONCURRENT_UPDATE",
  CREATION_IN_PROGRESS: "CREATION_IN_PROGRESS",
  INVALID_CONTINUATION: "INVALID_CONTINUATION",
  ENTITY_TOO_LARGE: "ENTITY_TOO_LARGE",
  INVALID_KEY: "INVALID_KEY",
  INVALID_INPUT: "INVALID_INPUT",
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

export abstract class LedgerError extends LuciusError {
  abstract override readonly code: LedgerErrorCode;
}

/** The requested state change is not allowed from the entity's current state; nothing was written. */
export class IllegalTransitionError extends LedgerError {
  override readonly name = "IllegalTransitionError";
  readonly code = LedgerErrorCode.ILLEGAL_TRANSITION;
  readonly retryable = false;
  constructor(
    readonly entity: "job" | "step",
    readonly from: string,
    readonly to: string,
    readonly reason?: string,
  ) {
    super(`Illegal ${entity} transition ${from} → ${to}${reason ? `: ${reason}` : ""}`);
  }
}

/** The caller's `ifMatch` ETag is no longer current; nothing was written. Re-read to decide again. */
export class StaleEtagError extends LedgerError {
  override readonly name = "StaleEtagError";
  readonly code = LedgerErrorCode.STALE_ETAG;
  readonly retryable = false;
  constructor(
    readonly entity: "job" | "step",
    readonly id: string,
  ) {
    super(`The ${entity} ${id} changed since it was read (ETag mismatch)`);
  }
}

/** A reply or action names an attempt/lease that is not the step's current one; nothing was written. */
export class StaleAttemptError extends LedgerError {
  override readonly name = "StaleAttemptError";
  readonly code = LedgerErrorCode.STALE_ATTEMPT;
  readonly retryable = false;
  constructor(
    readonly expected: { attempt_no: number; lease_id: string },
    readonly current: { attempt_no: number; lease_id?: string | undefined },
  ) {
    super(`Attempt ${expected.attempt_no}/${expected.lease_id} is not current ` + `(current attempt ${current.attempt_no}/${current.lease_id ?? "none"})`);
  }
}

export class NotFoundError extends LedgerError {
  override readonly name = "NotFoundError";
  readonly code = LedgerErrorCode.NOT_FOUND;
  readonly retryable = false;
  constructor(
    readonly entity: "job" | "step",
    readonly id: string,
  ) {
    super(`No ${entity} ${id}`);
  }
}

/** Conditional writes kept losing to other writers within the retry budget. */
export class ConcurrentUpdateError extends LedgerError {
  override readonly name = "ConcurrentUpdateError";
  readonly code = LedgerErrorCode.CONCURRENT_UPDATE;
  readonly retryable = true;
  constructor(
    readonly entity: "job" | "step" | "in-flight counter",
    readonly id: string,
    attempts: number,
  ) {
    super(`The ${entity} ${id} kept changing; gave up after ${attempts} conditional writes`);
  }
}

/** Another request holds the idempotency key and has not finished creating its job yet. */
export class CreationInProgressError extends LedgerError {
  override readonly name = "CreationInProgressError";
  readonly code = LedgerErrorCode.CREATION_IN_PROGRESS;
  readonly retryable = true;
  constructor(readonly jobId?: string) {
    super(`${jobId ? `Job ${jobId}` : "The job"} for this idempotency key is still being created; retry shortly`);
  }
}

/** A continuation token that this ledger did not issue (or issued for another query). */
export class InvalidContinuationError extends LedgerError {
  override readonly name = "InvalidContinuationError";
  readonly code = LedgerErrorCode.INVALID_CONTINUATION;
  readonly retryable = false;
  constructor(detail = "malformed continuation token") {
    super(`Invalid continuation token: ${detail}`);
  }
}

/** A row would exceed Table Storage limits (64 KiB per string property, 1 MiB per entity). */
export class EntityTooLargeError extends LedgerError {
  override readonly name = "EntityTooLargeError";
  readonly code = LedgerErrorCode.ENTITY_TOO_LARGE;
  readonly retryable = false;
  constructor(
    readonly property: string | undefined,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      property === undefined
        ? `Entity is ${bytes} bytes; Table Storage allows ${limit}`
        : `Property "${property}" is ${bytes} bytes; Table Storage allows ${limit}`,
    );
  }
}

/** A value used in a table key (tenant, step id) is unusable, e.g. too long. */
export class InvalidKeyError extends LedgerError {
  override readonly name = "InvalidKeyError";
  readonly code = LedgerErrorCode.INVALID_KEY;
  readonly retryable = false;
  constructor(
    readonly what: string,
    detail: string,
  ) {
    super(`Invalid ${what}: ${detail}`);
  }
}

/** Arguments the ledger cannot store as asked (e.g. no steps, duplicate step ids). */
export class InvalidInputError extends LedgerError {
  override readonly name = "InvalidInputError";
  readonly code = LedgerErrorCode.INVALID_INPUT;
  readonly retryable = false;
}

export function isLedgerError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}
