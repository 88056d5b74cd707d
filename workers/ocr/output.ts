import type Tesseract from "tesseract.js";

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0–100, tesseract's confidence. */
  confidence: number;
  bbox: Box;
}

export interface OcrLine extends OcrWord {
  words: OcrWord[];
}

/** The JSON output (`output_format: "JSON"`): the text, and its lines and words with pixel boxes. */
export interface OcrJson {
  engine: "tesseract.js";
  language: string;
  image_type: string;
  text: string;
  confidence: number;
  lines: OcrLine[];
}

const round = (n: number) => Math.round(n * 100) / 100;
const box = (b: Tesseract.Bbox): Box => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

export function linesOf(page: Tesseract.Page): OcrLine[] {
  return (page.blocks ?? []).flatMap((block) =>
    block.paragraphs.flatMap((paragraph) =>
      paragraph.lines.map((line) => ({
        text: line.text.trim(),
        confidence: round(line.confidence),
        bbox: box(line.bbox),
        words: line.words.map((word) => ({ text: word.text, confidence: round(word.confidence), bbox: box(word.bbox) })),
      })),
    ),
  );
}

export function ocrJson(page: Tesseract.Page, language: string, imageType: string): OcrJson {
  return { engine: "tesseract.js", language, image_type: imageType, text: page.text, confidence: round(page.confidence), lines: linesOf(page) };
}
