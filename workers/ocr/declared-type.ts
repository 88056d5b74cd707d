import { contentTypeConflict, documentMediaTypes, type DocumentKind } from "../../lib/worker-kit.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/**
 * Refuses an input whose declared content type names another format than its bytes: a
 * mislabelled document is the caller's mistake, NON_RETRYABLE `CONTENT_TYPE_MISMATCH`, rather
 * than something to guess around.
 */
export function checkDeclaredType(contentType: string | undefined, actual: DocumentKind | undefined): void {
  const conflict = contentTypeConflict(contentType, actual);
  if (!conflict) return;
  throw new WorkerError(
    WorkerErrorCode.contentTypeMismatch,
    `The input is declared ${contentType} but its bytes are ${conflict.actual.toUpperCase()} (${documentMediaTypes[conflict.actual]})`,
    { declared_content_type: contentType ?? null, detected_content_type: documentMediaTypes[conflict.actual] },
  );
}
