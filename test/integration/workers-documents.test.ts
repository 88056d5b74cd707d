import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultReply } from "../../lib/contracts/index.js";
import { pagesFileUri, type OcrJson, type OcrPagesFile } from "../../workers/ocr/output.js";
import { encodePng, render, sampleLines, smooth } from "../../scripts/make-sample-document.mjs";
import { pdfDocument, scanPage, textPage } from "../../scripts/make-sample-pages.mjs";
import { degraded } from "../support/degraded-image.js";
import { resultOf, startWorkersHost, type WorkersHost } from "./workers-harness.js";

const sample = (name: string) => readFileSync(new URL(`../../samples/${name}`, import.meta.url));

let w: WorkersHost;
beforeAll(async () => {
  w = await startWorkersHost({ LUCIUS_OCR_MAX_PAGES: "3" });
});
afterAll(() => w?.stop());

/** Uploads a document, sends it to OCR and waits for the RESULT. */
async function ocr(name: string, bytes: Buffer, contentType: string, payload: Record<string, unknown> = {}): Promise<ResultReply> {
  const input = await w.upload(`${Date.now()}-${name}`, bytes, contentType);
  const directive = w.directive({ step_type: "OCR", step_id: "ocr", input_ref: { uri: input, content_type: contentType }, payload });
  await w.send(directive);
  return (await w.reply(resultOf(directive))) as ResultReply;
}

describe("the OCR worker's RESULT for documents of several pages", () => {
  it("a text-layer PDF: its text without OCR, page 1 marked text layer, confidence 1, and the page file beside ocr.txt", async () => {
    const result = await ocr("invoice-text.pdf", sample("invoice-text.pdf"), "application/pdf");
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      metrics: { document_type: "pdf", page_count: 1, mean_confidence: 1, pages: [{ page: 1, confidence: 1, text_layer: true }] },
    });
    const text = (await w.readBlob(String(result.output_ref))).toString();
    expect(text.split("\n")).toEqual(sampleLines);
    const pages = JSON.parse((await w.readBlob(pagesFileUri(String(result.output_ref)))).toString()) as OcrPagesFile;
    expect(pages).toEqual({ engine: "tesseract.js", document_type: "pdf", mean_confidence: 1, pages: [{ page: 1, confidence: 1, text_layer: true }] });
  });

  it("a two-page TIFF as JSON: both pages in order, each with its number, lines and confidence", async () => {
    const result = await ocr("invoice-2-pages.tiff", sample("invoice-2-pages.tiff"), "image/tiff", { output_format: "JSON" });
    expect(result).toMatchObject({ status: "SUCCEEDED", metrics: { document_type: "tiff", page_count: 2 } });
    const json = JSON.parse((await w.readBlob(String(result.output_ref))).toString()) as OcrJson;
    expect(json.pages.map((p) => [p.page, p.text_layer])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(json.pages[0]!.text).toContain("INVOICE No. 2026-0042");
    expect(json.pages[1]!.text).toContain("Total due: $1,234.56");
    expect(json.text.indexOf("INVOICE")).toBeLessThan(json.text.indexOf("Total due"));
    expect(json.text).toContain("\f");
    expect(json.pages.every((p) => p.lines.length > 0 && p.confidence > 0.5 && p.confidence <= 1)).toBe(true);
    const metrics = result.metrics as { mean_confidence: number; pages: Array<{ confidence: number }> };
    expect(metrics.mean_confidence).toBeCloseTo((metrics.pages[0]!.confidence + metrics.pages[1]!.confidence) / 2, 2);
  });

  it("a degraded scan reports a lower mean confidence than the clean sample", async () => {
    const clean = await ocr("clean.png", sample("invoice.png"), "image/png");
    const poor = await ocr("poor.png", encodePng(degraded(smooth(render(sampleLines)))), "image/png");
    const mean = (r: ResultReply) => (r.metrics as { mean_confidence: number }).mean_confidence;
    expect(clean.status).toBe("SUCCEEDED");
    expect(poor.status).toBe("SUCCEEDED");
    expect(mean(poor)).toBeLessThan(mean(clean) - 0.1);
  });

  it("refuses a PDF over LUCIUS_OCR_MAX_PAGES, a PNG declared as PDF and an encrypted PDF, each NON_RETRYABLE with its code", async () => {
    const long = pdfDocument(Array.from({ length: 4 }, () => scanPage(smooth(render(["a page"])))));
    const [tooLong, mislabelled, encrypted] = await Promise.all([
      ocr("long.pdf", long, "application/pdf"),
      ocr("invoice.pdf", sample("invoice.png"), "application/pdf"),
      ocr("secret.pdf", pdfDocument([textPage(["secret"])], { encrypt: true }), "application/pdf"),
    ]);
    expect(tooLong).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { code: "INPUT_TOO_LARGE", message: "The PDF has 4 pages; OCR reads at most 3" },
    });
    expect(mislabelled).toMatchObject({ status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "CONTENT_TYPE_MISMATCH" } });
    expect(encrypted).toMatchObject({ status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "DOCUMENT_ENCRYPTED" } });
  });
});
