/**
 * The one table from an error to the problem document that answers it. Domain code throws its
 * own {@link LuciusError}s (intake's refusals, the ledger's, the bus's) and never speaks HTTP;
 * `answer()` in responses.ts asks this table, and anything it does not know is a 500.
 */
import { isLuciusError, type LuciusError } from "../errors.js";
import { CommandRefusal, type CommandIssue, type CommandRefusedError } from "../intake/errors.js";
import { LedgerErrorCode } from "../ledger/errors.js";
import { ProblemType, type Problem } from "./problem.js";

export interface ProblemAnswer {
  problem: Problem;
  headers?: Record<string, string>;
}

/** How long a client told 503 for a conflict or a creation under way should wait, in seconds. */
export const conflictRetryAfterSeconds = 1;

type Mapping = (error: LuciusError) => ProblemAnswer;

const issues = (error: LuciusError) => (error.details?.errors as readonly CommandIssue[] | undefined) ?? [];
const validation: Mapping = (error) => ({
  problem: { type: ProblemType.validation, title: "Validation failed", status: 422, detail: error.message, errors: [...issues(error)] },
});
const unavailable =
  (title: string, seconds: number): Mapping =>
  (error) => ({
    problem: { type: ProblemType.unavailable, title, status: 503, detail: error.message },
    headers: { "Retry-After": String(seconds) },
  });

const byCode: Readonly<Record<string, Mapping>> = {
  [CommandRefusal.validationFailed]: validation,
  [CommandRefusal.unknownRequestType]: (error) => ({
    problem: { type: ProblemType.unknownRequestType, title: "Unknown request type", status: 400, detail: error.message, errors: [...issues(error)] },
  }),
  [CommandRefusal.idempotencyKeyReused]: (error) => ({
    problem: { type: ProblemType.idempotencyConflict, title: "Idempotency key reused", status: 409, detail: error.message, job_id: error.details?.job_id },
  }),
  [CommandRefusal.tooManyInFlight]: (error) => ({
    problem: {
      type: ProblemType.tooManyRequests,
      title: "Too many jobs in flight",
      status: 429,
      detail: error.message,
      scope: error.details?.scope,
      limit: error.details?.limit,
    },
    headers: { "Retry-After": String((error as CommandRefusedError).retryAfterSeconds ?? conflictRetryAfterSeconds) },
  }),
  [LedgerErrorCode.ENTITY_TOO_LARGE]: (error) => ({ problem: { type: ProblemType.bodyTooLarge, title: "Body too large", status: 413, detail: error.message } }),
  [LedgerErrorCode.INVALID_KEY]: validation,
  [LedgerErrorCode.INVALID_INPUT]: validation,
  [LedgerErrorCode.INVALID_CONTINUATION]: () => ({
    problem: {
      type: ProblemType.invalidQuery,
      title: "Invalid query",
      status: 400,
      detail: "continuation: is not a token this API issued",
      errors: [{ pointer: "/query/continuation", message: "is not a token this API issued" }],
    },
  }),
  [LedgerErrorCode.CREATION_IN_PROGRESS]: () => ({
    problem: {
      type: ProblemType.unavailable,
      title: "Creation in progress",
      status: 503,
      detail: "An identical command is being accepted right now; retry it shortly",
    },
    headers: { "Retry-After": String(conflictRetryAfterSeconds) },
  }),
  [LedgerErrorCode.CONCURRENT_UPDATE]: unavailable("Concurrent update", conflictRetryAfterSeconds),
};

/**
 * The answer for an error Lucius raised on purpose; undefined for anything else (a fault of
 * ours: 500). A retryable error without an entry of its own (a dependency that is down, a
 * storage conflict that outlasted its retries) is 503 with `Retry-After`: the client may try
 * again, and nothing of the request was kept.
 */
export function problemFor(error: unknown): ProblemAnswer | undefined {
  if (!isLuciusError(error)) return undefined;
  const mapping = byCode[error.code];
  if (mapping) return mapping(error);
  if (error.retryable) return unavailable("Dependency unavailable", conflictRetryAfterSeconds)(error);
  return undefined;
}
