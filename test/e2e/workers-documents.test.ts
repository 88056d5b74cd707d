import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { render, smooth } from "../../scripts/make-sample-document.mjs";
import { pdfDocument, scanPage } from "../../scripts/make-sample-pages.mjs";
import { json, startCliDevhost, type CliDevhost } from "./cli-harness.js";

/** PDFs, TIFFs and mislabelled files through the CLI, the orchestrator and the real reference workers. */
let devhost: CliDevhost;
const scratch = mkdtempSync(join(tmpdir(), "lucius-documents-"));
beforeAll(async () => {
  devhost = await startCliDevhost({ workers: true, env: { LUCIUS_OCR_MAX_PAGES: "3" } });
}, 90_000);
afterAll(() => devhost?.stop());

const sample = (name: string) => join(packageRoot, "samples", name);

/** Submits a file as OCR->EMBEDDING->SIS, waits for the job, and returns it with what `lucius outputs` prints. */
async function submitted(file: string, expectedCode = 0) {
  const run = await devhost.lucius([
    "submit",
    file,
    "--request-type",
    "OCR->EMBEDDING->SIS",
    "--payload",
    '{"steps":{"sis":{"prompt_set":"invoice"}}}',
    "--watch",
    "--json",
  ]);
  expect(run.code, run.stderr).toBe(expectedCode);
  const job = json(run);
  const outputs = await devhost.lucius(["outputs", String(job.job_id)]);
  return { job, outputs: outputs.stdout };
}

const invoiceFacts = (outputs: string) => {
  expect(outputs).toMatch(/^ {2}INVOICE No\. 2026-0042$/m);
  expect(outputs).toMatch(/^ {2}amounts: +\$1,234\.56 \(USD 1234\.56\)$/m);
  expect(outputs).toMatch(/^ {2}dates: +March 3, 2026 \(2026-03-03\)$/m);
};

describe("documents of several kinds end to end", () => {
  it("lucius submit x.pdf declares application/pdf", async () => {
    const file = join(scratch, "x.pdf");
    copyFileSync(sample("invoice-text.pdf"), file);
    const run = await devhost.lucius(["submit", file, "--request-type", "OCR->EMBEDDING->SIS", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run).input_ref).toMatchObject({ content_type: "application/pdf" });
  }, 60_000);

  it("a text-layer PDF invoice SUCCEEDS with its number, total and date, page 1 marked text layer", async () => {
    const { job, outputs } = await submitted(sample("invoice-text.pdf"));
    expect(job.state).toBe("SUCCEEDED");
    expect(outputs).toMatch(/^Recognised text \(OCR, 7 lines, 1 page, mean confidence 1\.00\)$/m);
    expect(outputs).toMatch(/^ {2}page 1: text layer, confidence 1\.00$/m);
    invoiceFacts(outputs);
  }, 60_000);

  it("a scanned PDF invoice SUCCEEDS through OCR with the same facts", async () => {
    const { job, outputs } = await submitted(sample("invoice-scan.pdf"));
    expect(job.state).toBe("SUCCEEDED");
    expect(outputs).toMatch(/^ {2}page 1: OCR, confidence 0\.\d\d$/m);
    invoiceFacts(outputs);
  }, 60_000);

  it("a two-page TIFF yields both pages' text in order", async () => {
    const { job, outputs } = await submitted(sample("invoice-2-pages.tiff"));
    expect(job.state).toBe("SUCCEEDED");
    const order = ["page 1: OCR", "INVOICE No. 2026-0042", "page 2: OCR", "Total due: $1,234.56"].map((text) => outputs.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  }, 60_000);

  it("a PDF over the page limit FAILS INPUT_TOO_LARGE at OCR, before any page is rendered", async () => {
    const file = join(scratch, "long.pdf");
    writeFileSync(file, pdfDocument(Array.from({ length: 4 }, () => scanPage(smooth(render(["a page"]))))));
    const { job } = await submitted(file, 1);
    const status = json(await devhost.lucius(["status", String(job.job_id), "--json"]));
    expect(status.state).toBe("FAILED");
    expect(status.error).toMatchObject({
      code: "INPUT_TOO_LARGE",
      step_id: "ocr",
      message: expect.stringContaining("The PDF has 4 pages; OCR reads at most 3"),
    });
  }, 60_000);

  it("a PNG declared as PDF is refused by the CLI as a usage error, before any upload", async () => {
    const run = await devhost.lucius(["submit", sample("invoice.png"), "--content-type", "application/pdf"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--content-type application\/pdf contradicts the file: \S+invoice\.png is PNG \(image\/png\)/);
  }, 60_000);
});
