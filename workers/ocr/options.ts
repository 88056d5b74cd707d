import type { OcrPayload } from "../../lib/contracts/index.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/** The traineddata shipped with the worker (`@tesseract.js-data/eng`). */
export const shippedLanguage = "eng";

/**
 * `language_hint` → a tesseract language code. English in any usual spelling (`eng`, `en`,
 * `en-US`, `english`) reads with the shipped data; any other language fails NON_RETRYABLE rather
 * than falling back, since English recognition of another script or language would return
 * confident-looking garbage.
 */
export function ocrLanguage(hint: string | undefined): string {
  if (hint === undefined) return shippedLanguage;
  const normal = hint.trim().toLowerCase();
  if (normal === "eng" || normal === "english" || normal === "en" || /^en[-_][a-z0-9]+$/.test(normal)) return shippedLanguage;
  throw new WorkerError(
    WorkerErrorCode.unsupportedLanguage,
    `language_hint "${hint}" is not available: this OCR worker ships English ("eng") traineddata only`,
    { language_hint: hint, available: [shippedLanguage] },
  );
}

const engines = new Set(["tesseract", "tesseract.js", "default"]);

export function checkEngine(engine: string | undefined): void {
  if (engine !== undefined && !engines.has(engine.trim().toLowerCase())) {
    throw new WorkerError(WorkerErrorCode.invalidPayload, `ocr_engine "${engine}" is not available (use "tesseract")`);
  }
}

export type OutputFormat = NonNullable<OcrPayload["output_format"]>;
