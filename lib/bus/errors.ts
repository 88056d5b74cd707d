import { LuciusError } from "../errors.js";

/** Why a send failed; callers branch on `code` or `retryable`, never on messages. */
export const BusErrorCode = {
  throttled: "BUS_THROTTLED",
  unavailable: "BUS_UNAVAILABLE",
  unknownTopic: "BUS_UNKNOWN_TOPIC",
  messageTooLarge: "BUS_MESSAGE_TOO_LARGE",
  badRequest: "BUS_BAD_REQUEST",
  unauthorized: "BUS_UNAUTHORIZED",
} as const;
export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];

/** Base of every bus failure. `retryable` says whether backing off and sending again can succeed. */
export abstract class BusError extends LuciusError {
  abstract override readonly code: BusErrorCode;
}

/** The broker asked us to slow down (Service Bus `ServiceBusy`, HTTP 429). */
export class BusThrottledError extends BusError {
  override readonly name = "BusThrottledError";
  readonly code = BusErrorCode.throttled;
  readonly retryable = true;
  /** The broker's hint, when it gave one (HTTP `Retry-After`). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The broker could not be reached or timed out (network errors, HTTP 503/5xx). */
export class BusUnavailableError extends BusError {
  override readonly name = "BusUnavailableError";
  readonly code = BusErrorCode.unavailable;
  readonly retryable = true;
}

/** The topic does not exist (Service Bus `MessagingEntityNotFound`, HTTP 404). */
export class BusUnknownTopicError extends BusError {
  override readonly name = "BusUnknownTopicError";
  readonly code = BusErrorCode.unknownTopic;
  readonly retryable = false;
}

/** One message is larger than the broker accepts (`MessageSizeExceeded`, HTTP 413). */
export class BusMessageTooLargeError extends BusError {
  override readonly name = "BusMessageTooLargeError";
  readonly code = BusErrorCode.messageTooLarge;
  readonly retryable = false;
}

/** The broker rejected what we sent (HTTP 400/422), or the message cannot be built. */
export class BusBadRequestError extends BusError {
  override readonly name = "BusBadRequestError";
  readonly code = BusErrorCode.badRequest;
  readonly retryable = false;
}

/** Credentials or permissions are wrong (`UnauthorizedAccess`, HTTP 401/403). */
export class BusUnauthorizedError extends BusError {
  override readonly name = "BusUnauthorizedError";
  readonly code = BusErrorCode.unauthorized;
  readonly retryable = false;
}

export function isBusError(error: unknown): error is BusError {
  return error instanceof BusError;
}
