/** Codes of the Durable client API's refusals, each with the HTTP status the extension answers with. */
export const DurableErrorCode = {
  instanceNotFound: "instance_not_found",
  instanceCompleted: "instance_completed",
  instanceExists: "instance_exists",
  instanceRunning: "instance_running",
  orchestratorNotFound: "orchestrator_not_found",
  invalidRequest: "invalid_request",
  notSupported: "not_supported",
} as const;
export type DurableErrorCode = (typeof DurableErrorCode)[keyof typeof DurableErrorCode];

const httpStatusOf: Record<DurableErrorCode, number> = {
  instance_not_found: 404,
  instance_completed: 410,
  instance_exists: 409,
  instance_running: 409,
  orchestrator_not_found: 400,
  invalid_request: 400,
  not_supported: 501,
};

/** A request the Durable engine refuses; never retryable as it stands. */
export class DurableRequestError extends Error {
  override readonly name = "DurableRequestError";
  readonly httpStatus: number;

  constructor(
    readonly code: DurableErrorCode,
    message: string,
  ) {
    super(message);
    this.httpStatus = httpStatusOf[code];
  }
}
