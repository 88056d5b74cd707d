import type { OcrLine, PageText } from "../../lib/worker-kit.js";

export type { PageText };

/** What a recognizer makes of one page image. */
export interface Recognized {
  text: string;
  /** 0..1. */
  confidence: number;
  lines: OcrLine[];
}

export interface RecognizeRequest {
  /** Lines and words with boxes, not only the text. */
  blocks: boolean;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Reads the text of one page image (PNG, JPEG or TIFF bytes): the offline engine or Document Intelligence. */
export interface PageRecognizer {
  /** The name the RESULT and the JSON output give, e.g. "tesseract.js". */
  readonly engine: string;
  recognize(image: Buffer, request: RecognizeRequest): Promise<Recognized>;
}

/** The mean of the pages' confidences (0 for no page), rounded to 3 decimals. */
export function meanConfidence(pages: readonly PageText[]): number {
  if (pages.length === 0) return 0;
  return round3(pages.reduce((sum, p) => sum + p.confidence, 0) / pages.length);
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;
