import { extname } from "node:path";
import { contentTypeConflict, declaredDocumentKind, documentMediaTypes, sniffDocumentKind } from "../lib/documents/document-kind.js";
import { UsageError } from "./errors.js";

const byExtension: Record<string, string> = {
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".jsonl": "application/x-ndjson",
};

/** A content type from a file name's extension. @default "application/octet-stream" */
export function contentTypeFor(path: string): string {
  return byExtension[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The content type `submit` declares for a local file: from its bytes (PDF, PNG, JPEG, TIFF,
 * text) whatever its name says, the extension's only for other files (and for JSON, which is
 * text too). A `--content-type` the bytes contradict is a usage error: the worker would refuse
 * the job anyway, after an upload and a queue.
 */
export function declaredContentType(path: string, bytes: Buffer, flag: string | undefined): string {
  const kind = sniffDocumentKind(bytes);
  if (flag !== undefined) {
    const conflict = contentTypeConflict(flag, kind);
    if (conflict)
      throw new UsageError(`--content-type ${flag} contradicts the file: ${path} is ${conflict.actual.toUpperCase()} (${documentMediaTypes[conflict.actual]})`);
    return flag;
  }
  const fromName = contentTypeFor(path);
  if (!kind || declaredDocumentKind(fromName) === kind) return fromName;
  if (kind === "text" && fromName !== "application/octet-stream" && !declaredDocumentKind(fromName)) return fromName;
  return documentMediaTypes[kind];
}
