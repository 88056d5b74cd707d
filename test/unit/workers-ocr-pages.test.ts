import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DocumentKind, sniffDocumentKind } from "../../lib/documents/document-kind.js";
import { OcrEngine } from "../../workers/ocr/index.js";
import type { PageRecognizer } from "../../workers/ocr/pages.js";
import { readPages, type ReadPagesOptions } from "../../workers/ocr/read-pages.js";
import { WorkerError } from "../../workers/runtime/index.js";
import { encodePng, render, sampleLines, smooth } from "../../scripts/make-sample-document.mjs";
import { degraded } from "../support/degraded-image.js";
import { pdfDocument, scanPage, textPage } from "../../scripts/make-sample-pages.mjs";

const sample = (name: string) => readFileSync(new URL(`../../samples/${name}`, import.meta.url));
const engine = new OcrEngine("eng");
afterAll(() => engine.close());

/** The engine, counting the pages it is given: a limit must fail before any page reaches it. */
function counting(inner: PageRecognizer): PageRecognizer & { calls: number } {
  const counter = {
    engine: inner.engine,
    calls: 0,
    recognize: (image: Buffer, request: Parameters<PageRecognizer["recognize"]>[1]) => (counter.calls++, inner.recognize(image, request)),
  };
  return counter;
}

const options = (overrides: Partial<ReadPagesOptions> = {}): ReadPagesOptions => ({
  recognizer: engine,
  maxPages: 200,
  maxPixels: 40_000_000,
  blocks: false,
  signal: new AbortController().signal,
  onProgress: () => undefined,
  ...overrides,
});

const read = (bytes: Buffer, overrides: Partial<ReadPagesOptions> = {}) => readPages(bytes, sniffDocumentKind(bytes)!, options(overrides));
const failure = (run: Promise<unknown>) =>
  run.then(
    () => "ok",
    (e: unknown) => (e instanceof WorkerError ? `${e.code}/${e.failureClass}: ${e.message}` : String(e)),
  );

/** The invoice facts the acceptance names: number, total and date. */
const invoiceFacts = ["INVOICE No. 2026-0042", "Total due: $1,234.56", "March 3, 2026"];

describe("the samples", () => {
  it("are what scripts/make-sample-pages.mjs writes, byte for byte", () => {
    const script = new URL("../../scripts/make-sample-pages.mjs", import.meta.url).pathname;
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
    expect([...sample("invoice-text.pdf").subarray(0, 5)]).toEqual([...Buffer.from("%PDF-")]);
  });
});

describe("PDF pages", () => {
  it("reads a text-layer invoice from its text layer, without OCR", async () => {
    const recognizer = counting(engine);
    const pages = await read(sample("invoice-text.pdf"), { recognizer });
    expect(pages.map((p) => [p.page, p.text_layer, p.confidence])).toEqual([[1, true, 1]]);
    expect(pages[0]!.text.split("\n")).toEqual(sampleLines);
    expect(recognizer.calls).toBe(0);
  });

  it("renders a scanned invoice (no text layer) and reads the same facts through OCR", async () => {
    const pages = await read(sample("invoice-scan.pdf"));
    expect(pages.map((p) => [p.page, p.text_layer])).toEqual([[1, false]]);
    for (const fact of invoiceFacts) expect(pages[0]!.text).toContain(fact);
    expect(pages[0]!.confidence).toBeGreaterThan(0.7);
    expect(pages[0]!.confidence).toBeLessThan(1);
  });

  it("mixes text-layer and scanned pages in page order, and reads only the pages page_range selects", async () => {
    const scan = scanPage(smooth(render(sampleLines.slice(3, 6))));
    const mixed = pdfDocument([textPage(["First page: ACME Supply Co."]), scan, textPage(["Third page: thank you"])]);
    const pages = await read(mixed);
    expect(pages.map((p) => [p.page, p.text_layer])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    expect(pages[1]!.text).toContain("Globex Corporation");
    expect((await read(mixed, { pageRange: "3" })).map((p) => [p.page, p.text])).toEqual([[3, "Third page: thank you"]]);
  });

  it("fails a PDF over the page limit INPUT_TOO_LARGE before rendering any page", async () => {
    const recognizer = counting(engine);
    const scans = pdfDocument(Array.from({ length: 3 }, () => scanPage(smooth(render(["page"])))));
    expect(await failure(read(scans, { recognizer, maxPages: 2 }))).toBe("INPUT_TOO_LARGE/NON_RETRYABLE: The PDF has 3 pages; OCR reads at most 2");
    expect(recognizer.calls).toBe(0);
  });

  it("fails a page over the pixel limit at the render resolution INPUT_TOO_LARGE, before rendering it", async () => {
    const recognizer = counting(engine);
    const poster = pdfDocument([{ width: 7200, height: 7200, content: "" }]); // 100 × 100 inches
    expect(await failure(read(poster, { recognizer }))).toBe(
      "INPUT_TOO_LARGE/NON_RETRYABLE: Page 1 of the PDF at 200 dpi is 20000 × 20000 pixels (400000000); OCR decodes at most 40000000",
    );
    expect(recognizer.calls).toBe(0);
  });

  it("fails an encrypted PDF DOCUMENT_ENCRYPTED and a broken one UNREADABLE_DOCUMENT, both NON_RETRYABLE", async () => {
    expect(await failure(read(pdfDocument([textPage(["secret"])], { encrypt: true })))).toBe(
      "DOCUMENT_ENCRYPTED/NON_RETRYABLE: The PDF is encrypted and needs a password to open",
    );
    expect(await failure(read(Buffer.from("%PDF-1.7\nthis is not a PDF body at all\n")))).toMatch(
      /^UNREADABLE_DOCUMENT\/NON_RETRYABLE: The PDF cannot be read: /,
    );
  });
});

describe("TIFF pages", () => {
  it("reads every page of a two-page TIFF in order, each with its number", async () => {
    const tiff = sample("invoice-2-pages.tiff");
    expect(sniffDocumentKind(tiff)).toBe(DocumentKind.tiff);
    const pages = await read(tiff);
    expect(pages.map((p) => [p.page, p.text_layer])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(pages[0]!.text).toContain("INVOICE No. 2026-0042");
    expect(pages[0]!.text).not.toContain("Total due");
    expect(pages[1]!.text).toContain("Total due: $1,234.56");
    expect((await read(tiff, { pageRange: "2" })).map((p) => p.page)).toEqual([2]);
  });

  it("fails a TIFF over the page limit INPUT_TOO_LARGE before recognising a page", async () => {
    const recognizer = counting(engine);
    expect(await failure(read(sample("invoice-2-pages.tiff"), { recognizer, maxPages: 1 }))).toBe(
      "INPUT_TOO_LARGE/NON_RETRYABLE: The TIFF has 2 pages; OCR reads at most 1",
    );
    expect(recognizer.calls).toBe(0);
  });
});

describe("text files", () => {
  it("are their own text layer: one page, confidence 1", async () => {
    expect(await read(Buffer.from("Total due: $1,234.56\n"))).toEqual([
      { page: 1, text: "Total due: $1,234.56\n", confidence: 1, text_layer: true, lines: [] },
    ]);
  });
});

describe("confidence", () => {
  it("is lower for a blurred, noisy copy of the invoice than for the clean sample", async () => {
    const [clean] = await read(sample("invoice.png"));
    const [poor] = await read(encodePng(degraded(smooth(render(sampleLines)))));
    expect(clean!.confidence).toBeGreaterThan(0.8);
    expect(poor!.confidence).toBeGreaterThanOrEqual(0);
    expect(poor!.confidence).toBeLessThan(clean!.confidence - 0.1);
  });
});
