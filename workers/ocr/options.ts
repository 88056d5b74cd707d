import { WorkerSettingNames, type OcrPayload } from "../../lib/worker-kit.js";
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

/** `ocr_engine` values: the offline engine, or Azure AI Document Intelligence. */
export const OcrEngineName = { tesseract: "tesseract", documentIntelligence: "document-intelligence" } as const;
export type OcrEngineName = (typeof OcrEngineName)[keyof typeof OcrEngineName];

const aliases: Record<string, OcrEngineName> = {
  tesseract: OcrEngineName.tesseract,
  "tesseract.js": OcrEngineName.tesseract,
  offline: OcrEngineName.tesseract,
  "document-intelligence": OcrEngineName.documentIntelligence,
  "azure-document-intelligence": OcrEngineName.documentIntelligence,
  "prebuilt-read": OcrEngineName.documentIntelligence,
};

/**
 * The engine for a payload's `ocr_engine`: unset or `default` → Document Intelligence when
 * its endpoint is configured, else the offline engine; `document-intelligence` without an
 * endpoint, or an unknown name, is NON_RETRYABLE `INVALID_PAYLOAD`.
 */
export function chooseEngine(engine: string | undefined, documentIntelligenceConfigured: boolean): OcrEngineName {
  const normal = engine?.trim().toLowerCase();
  if (normal === undefined || normal === "default") return documentIntelligenceConfigured ? OcrEngineName.documentIntelligence : OcrEngineName.tesseract;
  const chosen = aliases[normal];
  if (!chosen) throw new WorkerError(WorkerErrorCode.invalidPayload, `ocr_engine "${engine}" is not available (use "tesseract" or "document-intelligence")`);
  if (chosen === OcrEngineName.documentIntelligence && !documentIntelligenceConfigured) {
    throw new WorkerError(
      WorkerErrorCode.invalidPayload,
      `ocr_engine "${engine}" needs ${WorkerSettingNames.documentIntelligenceEndpoint}, which is not set; the offline engine is "tesseract"`,
    );
  }
  return chosen;
}

export type OutputFormat = NonNullable<OcrPayload["output_format"]>;
