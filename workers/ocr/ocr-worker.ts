import { documentMediaTypes, SchemaIds, sniffDocumentKind, type OcrPayload } from "../../lib/worker-kit.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { StepWorker } from "../runtime/types.js";
import { checkDeclaredType } from "./declared-type.js";
import { OcrEngine } from "./engine.js";
import { DocumentIntelligenceRecognizer } from "./document-intelligence.js";
import { chooseEngine, OcrEngineName, ocrLanguage, shippedLanguage } from "./options.js";
import { documentText, ocrJson, pageSummaries, pagesFileUri, type OcrPagesFile } from "./output.js";
import { meanConfidence } from "./pages.js";
import { readPages } from "./read-pages.js";

/** The process's one OCR engine. */
export const ocrEngine = new OcrEngine(shippedLanguage);

/** File names written under a folder output_ref (TEXT also writes its page file beside the text, see {@link pagesFileUri}). */
export const OcrOutputFiles = { text: "ocr.txt", json: "ocr.json" } as const;

/**
 * OCR: reads a PDF, PNG, JPEG, TIFF or text file (by magic bytes; a declared type they
 * contradict is refused) and writes its text page by page — plain text with a form feed between
 * pages, or JSON with each page's lines, words, boxes and confidence — at the step's output_ref.
 * PDF pages with a text layer are read from it; other pages are rendered and recognised.
 */
export const ocrWorker: StepWorker<OcrPayload> = {
  name: "ocrWorker",
  stepType: "OCR",
  subscription: "platform-ocr",
  payloadSchemaId: SchemaIds.ocrPayload,
  async run({ directive, payload, refs, settings, signal, progress }) {
    const language = ocrLanguage(payload.language_hint);
    const engine = chooseEngine(payload.ocr_engine, settings.documentIntelligence !== undefined);
    const recognizer = engine === OcrEngineName.documentIntelligence ? new DocumentIntelligenceRecognizer(settings.documentIntelligence!) : ocrEngine;
    const format = payload.output_format ?? "TEXT";

    const input = await refs.readInput(directive.input_ref, signal);
    const kind = sniffDocumentKind(input.bytes);
    checkDeclaredType(input.contentType, kind);
    if (!kind) {
      throw new WorkerError(
        WorkerErrorCode.unsupportedContentType,
        `The input is not a PDF, PNG, JPEG, TIFF or text file${input.contentType ? ` (declared ${input.contentType})` : ""}`,
        { declared_content_type: input.contentType ?? null, supported: Object.values(documentMediaTypes) },
      );
    }
    progress(0.05, { phase: "reading" });
    const started = Date.now();
    const pages = await readPages(input.bytes, kind, {
      recognizer,
      ...(payload.page_range !== undefined ? { pageRange: payload.page_range } : {}),
      maxPages: settings.ocrMaxPages,
      maxPixels: settings.ocrMaxPixels,
      blocks: format === "JSON",
      signal,
      onProgress: (p, phase) => progress(0.05 + 0.9 * p, { phase }),
    });
    const ocrMs = Date.now() - started;

    const text = documentText(pages);
    const mean = meanConfidence(pages);
    const summaries = pageSummaries(pages);
    let written: string;
    if (format === "JSON") {
      const target = refs.outputUri(directive.output_ref, OcrOutputFiles.json);
      written = await refs.write(target, JSON.stringify(ocrJson(pages, recognizer.engine, language, kind)), "application/json", signal);
    } else {
      const target = refs.outputUri(directive.output_ref, OcrOutputFiles.text);
      written = await refs.write(target, text, "text/plain; charset=utf-8", signal);
      const file: OcrPagesFile = { engine: recognizer.engine, document_type: kind, mean_confidence: mean, pages: summaries };
      await refs.write(pagesFileUri(written), JSON.stringify(file), "application/json", signal);
    }
    return {
      output_ref: written,
      metrics: {
        document_type: kind,
        engine: recognizer.engine,
        output_format: format,
        language,
        page_count: pages.length,
        characters: text.length,
        words: text.split(/\s+/).filter(Boolean).length,
        mean_confidence: mean,
        pages: summaries,
        ocr_ms: ocrMs,
        input_bytes: input.bytes.length,
      },
    };
  },
};
