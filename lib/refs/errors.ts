import { LuciusError } from "../errors.js";
/** Why a ref could not be read or written; workers map these to RESULT error codes as they are. */
export const RefErrorCode = {
  /** The ref is not a URI Lucius can use (local path, `file:`, unknown scheme, bad blob path). */
  invalidRef: "INVALID_REF",
  /** An https input outside the storage account and the allowlist, or one that resolves to a private address. */
  notAllowed: "INPUT_NOT_ALLOWED",
  /** A ref outside its tenant's places (another tenant's blobs, another job's workspace, another container). */
  refOutsideTenant: "REF_OUTSIDE_TENANT",
  inputNotFound: "INPUT_NOT_FOUND",
  /** The input's server refused it for good (a 4xx other than 404/408/429). */
  inputRejected: "INPUT_REJECTED",
  inputTooLarge: "INPUT_TOO_LARGE",
  /** Network failure, timeout, throttling or a 5xx while reading: worth another attempt. */
  inputUnreachable: "INPUT_UNREACHABLE",
  /** 401/403 from storage: usually a role assignment that has not propagated yet. */
  accessDenied: "ACCESS_DENIED",
  /** Writing an output or workspace blob failed transiently. */
  outputWriteFailed: "OUTPUT_WRITE_FAILED",
} as const;
export type RefErrorCode = (typeof RefErrorCode)[keyof typeof RefErrorCode];

const retryableCodes: ReadonlySet<RefErrorCode> = new Set([RefErrorCode.inputUnreachable, RefErrorCode.accessDenied, RefErrorCode.outputWriteFailed]);

/** A ref failure with its code; `retryable` says whether a later attempt can succeed. */
export class RefError extends LuciusError {
  override readonly name = "RefError";
  readonly retryable: boolean;
  constructor(
    readonly code: RefErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = retryableCodes.has(code);
  }
}

export function isRefError(error: unknown): error is RefError {
  return error instanceof RefError;
}
