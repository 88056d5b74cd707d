import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DocumentKind as ImageType, OcrEngine } from "../../workers/ocr/index.js";
import { chooseEngine, ocrLanguage } from "../../workers/ocr/options.js";
import { selectPages } from "../../workers/ocr/page-selection.js";
import { imageSize } from "../../workers/ocr/image-size.js";
import { jpegHeader, pngHeader, tiffHeader } from "../support/image-headers.js";
import { WorkerError, WorkerErrorCode } from "../../workers/runtime/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/documents/${name}`, import.meta.url));
const sample = fixture("sample-invoice.png");
const engine = new OcrEngine("eng");
afterAll(() => engine.close());

const codeOf = (f: () => unknown) => {
  try {
    f();
    return "ok";
  } catch (error) {
    return error instanceof WorkerError ? `${error.code}/${error.failureClass}` : String(error);
  }
};

describe("OCR options", () => {
  it("reads an image's size from its PNG, JPEG or TIFF header alone", () => {
    expect(imageSize(sample, ImageType.png)).toEqual({ width: sample.readUInt32BE(16), height: sample.readUInt32BE(20) });
    expect(imageSize(pngHeader(30000, 30000), ImageType.png)).toEqual({ width: 30000, height: 30000 });
    expect(imageSize(jpegHeader(12000, 9000), ImageType.jpeg)).toEqual({ width: 12000, height: 9000 });
    expect(imageSize(tiffHeader(9000, 7000), ImageType.tiff)).toEqual({ width: 9000, height: 7000 });
    expect(imageSize(tiffHeader(70000, 70000), ImageType.tiff)).toEqual({ width: 70000, height: 70000 });
    // Cut short: no size, rather than a guess.
    expect(imageSize(pngHeader(10, 10).subarray(0, 18), ImageType.png)).toBeUndefined();
    expect(imageSize(jpegHeader(10, 10).subarray(0, 10), ImageType.jpeg)).toBeUndefined();
    expect(imageSize(tiffHeader(10, 10).subarray(0, 12), ImageType.tiff)).toBeUndefined();
  });

  it("accepts English in its usual spellings and refuses other languages NON_RETRYABLE", () => {
    expect(["eng", "en", "EN-us", "english", undefined].map((hint) => ocrLanguage(hint))).toEqual(["eng", "eng", "eng", "eng", "eng"]);
    expect(codeOf(() => ocrLanguage("deu"))).toBe(`${WorkerErrorCode.unsupportedLanguage}/NON_RETRYABLE`);
  });

  it("uses Document Intelligence when its endpoint is configured, the offline engine otherwise or when asked", () => {
    expect([undefined, "default", "tesseract", "prebuilt-read"].map((e) => chooseEngine(e, true))).toEqual([
      "document-intelligence",
      "document-intelligence",
      "tesseract",
      "document-intelligence",
    ]);
    expect([undefined, "Tesseract.js"].map((e) => chooseEngine(e, false))).toEqual(["tesseract", "tesseract"]);
    expect(codeOf(() => chooseEngine("document-intelligence", false))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
    expect(codeOf(() => chooseEngine("abbyy", true))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
  });

  it("selects pages by page_range in document order, and refuses a range that selects none", () => {
    expect(["1", "1-3", "2,1", " 1 - 2 ", "3-9,1,3"].map((r) => selectPages(r, 4))).toEqual([[1], [1, 2, 3], [1, 2], [1, 2], [1, 3, 4]]);
    expect(selectPages(undefined, 3)).toEqual([1, 2, 3]);
    expect(["2-4", "0", "3-1", "one"].map((r) => codeOf(() => selectPages(r, 1)))).toEqual(Array(4).fill(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`));
  });
});

describe("the OCR engine (offline English traineddata)", () => {
  it("reads the sample invoice's words, with lines, words, boxes and confidence", async () => {
    const page = await engine.recognize(sample, { blocks: true, signal: new AbortController().signal });
    for (const known of ["ACME", "INVOICE", "March", "2026", "Globex", "Corporation", "Total", "$1,234.56"]) expect(page.text).toContain(known);
    const lines = page.lines;
    expect(lines.length).toBeGreaterThanOrEqual(7);
    const total = lines.find((l) => l.text.startsWith("Total"))!;
    expect(total.words.map((w) => w.text)).toContain("$1,234.56");
    expect(total.bbox.x1).toBeGreaterThan(total.bbox.x0);
    expect(total.words[0]!.confidence).toBeGreaterThan(0.5);
    expect(total.words[0]!.confidence).toBeLessThanOrEqual(1);
    expect(page.confidence).toBeGreaterThan(0.5);
  });

  it("fails a corrupt image as NON_RETRYABLE UNREADABLE_DOCUMENT and keeps working", async () => {
    const failure = await engine.recognize(fixture("corrupt.png"), { blocks: false, signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkerError);
    expect(failure).toMatchObject({ code: WorkerErrorCode.unreadableDocument, failureClass: "NON_RETRYABLE" });
    expect((await engine.recognize(sample, { blocks: false, signal: new AbortController().signal })).text).toContain("Globex");
  });

  it("stops a recognition when its signal aborts, and recognises again afterwards", async () => {
    const controller = new AbortController();
    const outcome = await engine
      .recognize(sample, { blocks: false, signal: controller.signal, onProgress: () => controller.abort(new Error("cancelled by test")) })
      .then(
        () => "finished",
        (e: unknown) => (e as Error).message,
      );
    expect(outcome).toBe("cancelled by test");
    expect((await engine.recognize(sample, { blocks: false, signal: new AbortController().signal })).text).toContain("Total");
  });
});
