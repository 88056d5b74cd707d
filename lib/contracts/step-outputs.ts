/**
 * What the reference workers write at a step's `output_ref`, as the API (`GET …/outputs`), the
 * CLI and the console read it back. Here in lib, not in workers/, because both sides depend on
 * the format and lib depends on no app (docs/architecture.md, "Deployment units").
 */

/** A box in pixels of the rendered page. */
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

/** One page's text as the OCR step read it. */
export interface PageText {
  /** 1-based, in document order. */
  page: number;
  text: string;
  /** 0..1: the recognizer's mean word confidence; 1 for text read from a text layer. */
  confidence: number;
  /** True when the text came from the document itself (a PDF text layer, a text file), not from OCR. */
  text_layer: boolean;
  /** Lines with words and boxes (pixels of the rendered page), when the output format asks for them. */
  lines: OcrLine[];
}

/** A page of the JSON output. */
export type OcrPage = PageText;

/** The OCR step's JSON output (`output_format: "JSON"`): the text, and each page with its lines and words (pixel boxes). */
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

/**
 * Where the TEXT output's page file goes: beside the text, `ocr.txt` → `ocr.pages.json` (any
 * other name gets `.pages.json` appended), so `lucius outputs` can show each page's confidence.
 */
export function pagesFileUri(textUri: string): string {
  const [path, query] = textUri.split("?", 2) as [string, string | undefined];
  return `${path.replace(/\.txt$/i, "")}.pages.json${query !== undefined ? `?${query}` : ""}`;
}

/** One line of the EMBEDDING step's JSONL output. */
export interface EmbeddedChunk {
  chunk_id: string;
  text: string;
  vector: number[];
}

export interface MonetaryAmount {
  /** As written, e.g. "$1,234.56" or "1.234,56 €". */
  text: string;
  value: number;
  /** ISO 4217 code. */
  currency: string;
  /** Offset in the analysed text. */
  index: number;
}

export interface FoundDate {
  /** As written, e.g. "March 3, 2026" or "03/04/2026". */
  text: string;
  /** YYYY-MM-DD. */
  iso: string;
  index: number;
  /** Numeric day/month order could be read both ways; `iso` assumes month first (US) then. */
  ambiguous?: boolean;
}

export interface Keyword {
  term: string;
  count: number;
  /** Term frequency among the document's content words. */
  score: number;
}

export interface LanguageGuess {
  /** ISO 639-1, or "und" (undetermined) when no language's stop words appear. */
  code: string;
  name: string;
  /** Share of stop-word hits that belong to the chosen language (0..1). */
  confidence: number;
}

/** The SIS step's offline analysis of one text (its analysis.json). */
export interface Analysis {
  language: LanguageGuess;
  keywords: Keyword[];
  amounts: MonetaryAmount[];
  dates: FoundDate[];
  summary: string;
  sentences: number;
  characters: number;
}
