import { isRefError, type ReplyError } from "../../lib/worker-kit.js";

/** Failure codes the workers report themselves (ref failures keep their `RefErrorCode`). */
export const WorkerErrorCode = {
  /** The step payload breaks its schema or asks for something this worker does not do. */
  invalidPayload: "INVALID_PAYLOAD",
  /** The input is not a format this step reads (by magic bytes for images). */
  unsupportedContentType: "UNSUPPORTED_CONTENT_TYPE",
  /** The declared content type names one format and the bytes are another (a PNG declared as PDF). */
  contentTypeMismatch: "CONTENT_TYPE_MISMATCH",
  /** The input claims a supported format but cannot be decoded. */
  unreadableDocument: "UNREADABLE_DOCUMENT",
  /** A PDF that needs a password to open. */
  documentEncrypted: "DOCUMENT_ENCRYPTED",
  /** The input is over a limit (bytes read; OCR's page limit, or its pixel limit per page read from the header). */
  inputTooLarge: "INPUT_TOO_LARGE",
  /** OCR: a language whose traineddata is not shipped. */
  unsupportedLanguage: "UNSUPPORTED_LANGUAGE",
  /** Azure OpenAI or Document Intelligence throttled, timed out or failed (403, 5xx): worth another attempt. */
  modelUnavailable: "MODEL_UNAVAILABLE",
  /** Azure OpenAI or Document Intelligence refused the request for good (401, other 4xx), or the model is not configured. */
  modelRejected: "MODEL_REJECTED",
  /** Azure OpenAI or Document Intelligence answered 2xx with a body its contract does not allow (not JSON, fields missing). */
  modelMalformedResponse: "MODEL_MALFORMED_RESPONSE",
  /** A bug or an unexpected failure inside the worker. */
  internal: "WORKER_INTERNAL_ERROR",
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

export const FailureClass = { retryable: "RETRYABLE", nonRetryable: "NON_RETRYABLE" } as const;
export type FailureClass = (typeof FailureClass)[keyof typeof FailureClass];

const retryableCodes: ReadonlySet<WorkerErrorCode> = new Set([
  WorkerErrorCode.modelUnavailable,
  WorkerErrorCode.modelMalformedResponse,
  WorkerErrorCode.internal,
]);

/** A classified step failure; the message is what the job's error shows. */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
  readonly failureClass: FailureClass;
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.failureClass = retryableCodes.has(code) ? FailureClass.retryable : FailureClass.nonRetryable;
  }
}

/**
 * The RESULT fields for a failure. Unknown errors count as RETRYABLE internal errors: the
 * orchestrator's attempt limit bounds them, while a wrong NON_RETRYABLE would fail a job for good.
 */
export function failureOf(error: unknown): { failure_class: FailureClass; error: ReplyError } {
  if (error instanceof WorkerError) {
    return { failure_class: error.failureClass, error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  }
  if (isRefError(error)) {
    return { failure_class: error.retryable ? FailureClass.retryable : FailureClass.nonRetryable, error: { code: error.code, message: error.message } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { failure_class: FailureClass.retryable, error: { code: WorkerErrorCode.internal, message: `Unexpected worker failure: ${message}` } };
}
