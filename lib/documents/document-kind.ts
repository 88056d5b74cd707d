/**
 * Document formats Lucius recognises from their bytes (magic numbers), never from a name or a
 * declared type: the CLI declares what it finds, and the OCR worker refuses a declaration the
 * bytes contradict.
 */
export const DocumentKind = { pdf: "pdf", png: "png", jpeg: "jpeg", tiff: "tiff", text: "text" } as const;
export type DocumentKind = (typeof DocumentKind)[keyof typeof DocumentKind];

/** The media type each kind is declared as. */
export const documentMediaTypes: Record<DocumentKind, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
  tiff: "image/tiff",
  text: "text/plain; charset=utf-8",
};

const signatures: Array<[DocumentKind, number[]]> = [
  [DocumentKind.png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  [DocumentKind.jpeg, [0xff, 0xd8, 0xff]],
  [DocumentKind.tiff, [0x49, 0x49, 0x2a, 0x00]], // little-endian "II*\0"
  [DocumentKind.tiff, [0x4d, 0x4d, 0x00, 0x2a]], // big-endian "MM\0*"
];

/** PDF readers accept `%PDF-` anywhere in the first KiB (ISO 32000 tolerates leading bytes). */
const pdfHeaderWindow = 1024;
/** Bytes looked at to call a file text: enough to see binary, little enough to stay cheap. */
const textWindow = 8192;

function isText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, textWindow);
  if (head.length === 0) return false;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  try {
    // stream: a character cut at the window's end is not an error.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: head.length < bytes.length });
    return true;
  } catch {
    return false;
  }
}

/** The kind the bytes are, or undefined for anything else (GIF, ZIP, an empty file, binary). */
export function sniffDocumentKind(bytes: Uint8Array): DocumentKind | undefined {
  const magic = signatures.find(([, sig]) => sig.every((b, i) => bytes[i] === b))?.[0];
  if (magic) return magic;
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, pdfHeaderWindow)).includes("%PDF-", 0, "latin1")) return DocumentKind.pdf;
  return isText(bytes) ? DocumentKind.text : undefined;
}

const declaredKinds: Record<string, DocumentKind> = {
  "application/pdf": DocumentKind.pdf,
  "application/x-pdf": DocumentKind.pdf,
  "image/png": DocumentKind.png,
  "image/jpeg": DocumentKind.jpeg,
  "image/jpg": DocumentKind.jpeg,
  "image/pjpeg": DocumentKind.jpeg,
  "image/tiff": DocumentKind.tiff,
  "image/tif": DocumentKind.tiff,
  "text/plain": DocumentKind.text,
};

/** The kind a media type names (parameters ignored); undefined for generic or other types (`application/octet-stream`). */
export function declaredDocumentKind(contentType: string | undefined): DocumentKind | undefined {
  const essence = contentType?.split(";")[0]!.trim().toLowerCase();
  return essence ? declaredKinds[essence] : undefined;
}

/**
 * When a declared type names one of the kinds and the bytes are another one, the pair; else
 * undefined. A generic or unknown declaration contradicts nothing, and neither do bytes of no
 * known kind (those fail as unsupported, not as mislabelled).
 */
export function contentTypeConflict(
  contentType: string | undefined,
  actual: DocumentKind | undefined,
): { declared: DocumentKind; actual: DocumentKind } | undefined {
  const declared = declaredDocumentKind(contentType);
  return declared && actual && declared !== actual ? { declared, actual } : undefined;
}
