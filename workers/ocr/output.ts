import type Tesseract from "tesseract.js";
import type { PageText } from "./pages.js";
import { meanConfidence } from "./pages.js";

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0..1. */
  confidence: number;
  bbox: Box;
}

export interface OcrLine extends OcrWord {
  words: OcrWord[];
}

/** A page of the JSON output. */
export type OcrPage = PageText;

/** The JSON output (`output_format: "JSON"`): the text, and each page with its lines and words (pixel boxes). */
export interface OcrJson {
  engine: string;
  language: string;
  /** pdf, png, jpeg, tiff or text: what the bytes were. */
  document_type: string;
  /** Every page's text in order, pages separated by a form feed (`\f`). */
  text: string;
  /** 0..1, the mean of the pages' confidences. */
  mean_confidence: number;
  pages: OcrPage[];
}

/** A page's confidence and origin, as the RESULT's `metrics.pages` and the TEXT output's page file give them. */
export interface PageSummary {
  page: number;
  confidence: number;
  text_layer: boolean;
}

/** What the TEXT output's page file holds (the JSON output holds the same in its pages). */
export interface OcrPagesFile {
  engine: string;
  document_type: string;
  mean_confidence: number;
  pages: PageSummary[];
}

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

export const pageSummaries = (pages: readonly PageText[]): PageSummary[] => pages.map(({ page, confidence, text_layer }) => ({ page, confidence: round(confidence), text_layer }));

export function ocrJson(pages: PageText[], engine: string, language: string, documentType: string): OcrJson {
  return { engine, language, document_type: documentType, text: documentText(pages), mean_confidence: meanConfidence(pages), pages: pages.map((p) => ({ ...p, confidence: round(p.confidence) })) };
}

/**
 * Where the TEXT output's page file goes: beside the text, `ocr.txt` → `ocr.pages.json` (any
 * other name gets `.pages.json` appended), so `lucius outputs` can show each page's confidence.
 */
export function pagesFileUri(textUri: string): string {
  const [path, query] = textUri.split("?", 2) as [string, string | undefined];
  return `${path.replace(/\.txt$/i, "")}.pages.json${query !== undefined ? `?${query}` : ""}`;
}
