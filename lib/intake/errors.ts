import { LuciusError } from "../errors.js";

/** Why intake refused a command; nothing was written for it. */
export const CommandRefusal = {
  /** The body breaks the envelope or a step's payload schema, or a ref leaves the tenant's places; `details.errors` says where. */
  validationFailed: "VALIDATION_FAILED",
  /** No protocol serves the request type; `details.known` lists those that exist. */
  unknownRequestType: "UNKNOWN_REQUEST_TYPE",
  /** The tenant's idempotency key already names another body's job, `details.job_id`. */
  idempotencyKeyReused: "IDEMPOTENCY_KEY_REUSED",
  /** The tenant (or Lucius) is at its in-flight limit; retryable once some jobs finish. */
  tooManyInFlight: "TOO_MANY_IN_FLIGHT",
} as const;
export type CommandRefusal = (typeof CommandRefusal)[keyof typeof CommandRefusal];

/** One reason a body failed validation: where (RFC 6901 pointer into the body) and why. */
export interface CommandIssue {
  pointer: string;
  message: string;
}

export class CommandRefusedError extends LuciusError {
  override readonly name = "CommandRefusedError";
  readonly retryable: boolean;

  constructor(
    readonly code: CommandRefusal,
    message: string,
    details: Readonly<Record<string, unknown>> & { errors?: readonly CommandIssue[] } = {},
    /** When a retryable refusal is worth trying again, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message, { details });
    this.retryable = code === CommandRefusal.tooManyInFlight;
  }
}
