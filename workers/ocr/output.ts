import type Tesseract from "tesseract.js";
import { pagesFileUri, type Box, type OcrJson, type OcrLine, type PageSummary, type PageText } from "../../lib/worker-kit.js";
import { meanConfidence } from "./pages.js";

// The output format lives in lib (the API reads it back); named here too for the OCR modules.
export type { Box, OcrJson, OcrLine, OcrPage, OcrPagesFile, OcrWord, PageSummary } from "../../lib/worker-kit.js";
export { pagesFileUri };

/** Pages are separated by a form feed, the usual page break of plain text (whitespace to the steps after OCR). */
export const pageSeparator = "\f";

const round = (n: number) => Math.round(n * 1000) / 1000;
const box = (b: Tesseract.Bbox): Box => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

export function linesOf(page: Tesseract.Page): OcrLine[] {
  return (page.blocks ?? []).flatMap((block) =>
    block.paragraphs.flatMap((paragraph) =>
      paragraph.lines.map((line) => ({
        text: line.text.trim(),
        confidence: round(line.confidence / 100),
        bbox: box(line.bbox),
        words: line.words.map((word) => ({ text: word.text, confidence: round(word.confidence / 100), bbox: box(word.bbox) })),
      })),
    ),
  );
}

export const documentText = (pages: readonly PageText[]) => pages.map((p) => p.text.trim()).join(`\n${pageSeparator}\n`);

export const pageSummaries = (pages: readonly PageText[]): PageSummary[] =>
  pages.map(({ page, confidence, text_layer }) => ({ page, confidence: round(confidence), text_layer }));

export function ocrJson(pages: PageText[], engine: string, language: string, documentType: string): OcrJson {
  return {
    engine,
    language,
    document_type: documentType,
    text: documentText(pages),
    mean_confidence: meanConfidence(pages),
    pages: pages.map((p) => ({ ...p, confidence: round(p.confidence) })),
  };
}
