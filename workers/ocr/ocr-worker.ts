import type { OcrPayload } from "../../lib/contracts/index.js";
import { SchemaIds } from "../../lib/contracts/index.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { StepWorker } from "../runtime/types.js";
import { OcrEngine } from "./engine.js";
import { imageSize } from "./image-size.js";
import { sniffDocumentKind } from "../../lib/documents/document-kind.js";
import { checkDeclaredType } from "./declared-type.js";
import { checkEngine, checkPageRange, ocrLanguage, shippedLanguage } from "./options.js";
import { ocrJson } from "./output.js";

/** The process's one OCR engine. */
export const ocrEngine = new OcrEngine(shippedLanguage);

/** File names written under a folder output_ref. */
export const OcrOutputFiles = { text: "ocr.txt", json: "ocr.json" } as const;

/**
 * OCR: reads a PNG, JPEG or TIFF image (by magic bytes) and writes its text — plain text, or
 * JSON with lines and words, their boxes and confidence — at the step's output_ref.
 */
export const ocrWorker: StepWorker<OcrPayload> = {
  name: "ocrWorker",
  stepType: "OCR",
  subscription: "platform-ocr",
  payloadSchemaId: SchemaIds.ocrPayload,
  async run({ directive, payload, refs, settings, signal, progress }) {
    const language = ocrLanguage(payload.language_hint);
    checkEngine(payload.ocr_engine);
    checkPageRange(payload.page_range);
    const format = payload.output_format ?? "TEXT";

    const input = await refs.readInput(directive.input_ref, signal);
    const kind = sniffDocumentKind(input.bytes);
    checkDeclaredType(input.contentType, kind);
    const imageType = kind === "png" || kind === "jpeg" || kind === "tiff" ? kind : undefined;
    if (!imageType) {
      throw new WorkerError(
        WorkerErrorCode.unsupportedContentType,
        `The input is not a PNG, JPEG or TIFF image${input.contentType ? ` (declared ${input.contentType})` : ""}`,
        { declared_content_type: input.contentType ?? null, supported: ["image/png", "image/jpeg", "image/tiff"] },
      );
    }
    // One engine serves every tenant: an image too large to decode is refused from its header.
    const size = imageSize(input.bytes, imageType);
    if (!size) throw new WorkerError(WorkerErrorCode.unreadableDocument, `The ${imageType.toUpperCase()} header does not state the image's size`);
    const pixels = size.width * size.height;
    if (pixels > settings.ocrMaxPixels) {
      throw new WorkerError(
        WorkerErrorCode.inputTooLarge,
        `The image is ${size.width} × ${size.height} pixels (${pixels}); OCR decodes at most ${settings.ocrMaxPixels}`,
        { width: size.width, height: size.height, pixels, limit: settings.ocrMaxPixels },
      );
    }
    progress(0.05, { phase: "recognizing" });
    const started = Date.now();
    const page = await ocrEngine.recognize(input.bytes, { blocks: format === "JSON", signal, onProgress: (p) => progress(0.05 + 0.9 * p, { phase: "recognizing" }) });
    const ocrMs = Date.now() - started;

    const json = format === "JSON" ? ocrJson(page, language, imageType) : undefined;
    const target = refs.outputUri(directive.output_ref, json ? OcrOutputFiles.json : OcrOutputFiles.text);
    const written = json
      ? await refs.write(target, JSON.stringify(json), "application/json", signal)
      : await refs.write(target, page.text, "text/plain; charset=utf-8", signal);
    return {
      output_ref: written,
      metrics: {
        image_type: imageType,
        output_format: format,
        language,
        characters: page.text.length,
        words: page.text.split(/\s+/).filter(Boolean).length,
        confidence: Math.round(page.confidence),
        ocr_ms: ocrMs,
        input_bytes: input.bytes.length,
      },
    };
  },
};
