import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultReply } from "../../lib/contracts/index.js";
import type { OcrJson } from "../../workers/ocr/index.js";
import type { EmbeddedChunk } from "../../workers/embedding/index.js";
import { markerUri } from "../../workers/runtime/index.js";
import { repliesOf, resultOf, startWorkersHost, workersTenant, type WorkersHost } from "./workers-harness.js";
import { jpegHeader, pngHeader, tiffHeader } from "../support/image-headers.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/documents/${name}`, import.meta.url));
const groundTruth = fixture("sample-invoice.txt").toString();

let w: WorkersHost;
beforeAll(async () => {
  w = await startWorkersHost();
});
afterAll(() => w?.stop());

describe("the sample document through OCR → EMBEDDING → SIS", () => {
  it("reads the known words, chunks and embeds them, and names the amount and the date", async () => {
    const input = await w.upload(`sample-${Date.now()}.png`, fixture("sample-invoice.png"), "image/png");

    const ocr = w.directive({
      step_type: "OCR",
      step_id: "ocr",
      input_ref: { uri: input, content_type: "image/png" },
      payload: { output_format: "JSON", language_hint: "en" },
    });
    await w.send(ocr);
    const ocrResult = (await w.reply(resultOf(ocr))) as ResultReply;
    const ocrReplies = repliesOf(w.replies, ocr);
    expect(ocrReplies[0]!.type).toBe("ACK");
    expect(ocrReplies.filter((r) => r.type === "ACK")).toHaveLength(1);
    expect(ocrResult).toMatchObject({
      status: "SUCCEEDED",
      lease_id: ocr.lease_id,
      tenant_id: "tenant-w",
      metrics: { document_type: "png", output_format: "JSON", page_count: 1 },
    });
    expect(String(ocrResult.output_ref)).toBe(`${ocr.workspace_ref}ocr/ocr.json`);
    const ocrJson = JSON.parse((await w.readBlob(String(ocrResult.output_ref))).toString()) as OcrJson;
    for (const known of ["INVOICE", "March", "Globex", "Corporation", "Total", "$1,234.56"]) expect(ocrJson.text).toContain(known);
    expect(ocrJson.pages.map((p) => [p.page, p.text_layer])).toEqual([[1, false]]);
    expect(ocrJson.pages[0]!.lines.length).toBeGreaterThanOrEqual(7);
    expect(ocrJson.pages[0]!.lines.flatMap((l) => l.words).find((word) => word.text === "Globex")).toMatchObject({
      bbox: expect.objectContaining({ x0: expect.any(Number) }),
    });

    const maxTokens = 8;
    const overlap = 2;
    const embedding = w.directive({
      step_type: "EMBEDDING",
      step_id: "embedding",
      input_ref: String(ocrResult.output_ref),
      payload: { chunking: { max_tokens: maxTokens, overlap_tokens: overlap }, normalize: true },
    });
    await w.send(embedding);
    const embeddingResult = (await w.reply(resultOf(embedding))) as ResultReply;
    const tokens = groundTruth.split(/\s+/).filter(Boolean).length;
    const expectedChunks = 1 + Math.ceil(Math.max(0, tokens - maxTokens) / (maxTokens - overlap));
    expect(embeddingResult).toMatchObject({
      status: "SUCCEEDED",
      metrics: { chunks: expectedChunks, dimension: 256, model: "lucius-hash-256", input_kind: "ocr_json" },
    });
    const rows = (await w.readBlob(String(embeddingResult.output_ref)))
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EmbeddedChunk);
    expect(rows).toHaveLength(expectedChunks);
    expect(rows.map((r) => r.chunk_id)).toEqual(rows.map((_, i) => `chunk-${String(i).padStart(4, "0")}`));
    for (const row of rows) {
      expect(row.vector).toHaveLength(256);
      expect(Math.hypot(...row.vector)).toBeCloseTo(1, 4);
    }

    // The last step writes the job's own output_ref, a blob name rather than a folder.
    const outputRef = `${w.accountUrl}/outputs/${workersTenant}/${embedding.job_id}/analysis.json`;
    const sisDirective = w.directive({
      step_type: "SIS",
      step_id: "sis",
      input_ref: String(embeddingResult.output_ref),
      output_ref: outputRef,
      payload: { prompt_set: "invoice", response_format: "JSON" },
    });
    await w.send(sisDirective);
    const sisResult = (await w.reply(resultOf(sisDirective))) as ResultReply;
    expect(sisResult).toMatchObject({ status: "SUCCEEDED", output_ref: outputRef, metrics: { engine: "offline", language: "en", input_kind: "jsonl_chunks" } });
    const analysis = JSON.parse((await w.readBlob(outputRef)).toString()) as { amounts: unknown[]; dates: unknown[]; summary: string; keywords: unknown[] };
    expect(analysis.amounts).toContainEqual(expect.objectContaining({ value: 1234.56, currency: "USD" }));
    expect(analysis.dates).toContainEqual(expect.objectContaining({ iso: "2026-03-03" }));
    expect(analysis.summary).toContain("$1,234.56");
    expect(analysis.keywords.length).toBeGreaterThan(0);
  });
});

describe("failures the workers classify themselves", () => {
  it("fails a corrupt image NON_RETRYABLE UNREADABLE_DOCUMENT, text declared PNG CONTENT_TYPE_MISMATCH, German UNSUPPORTED_LANGUAGE", async () => {
    const corrupt = w.directive({
      step_type: "OCR",
      step_id: "ocr",
      input_ref: await w.upload(`corrupt-${Date.now()}.png`, fixture("corrupt.png"), "image/png"),
    });
    const text = w.directive({ step_type: "OCR", step_id: "ocr", input_ref: await w.upload(`note-${Date.now()}.png`, "just text", "image/png") });
    const german = w.directive({ step_type: "OCR", step_id: "ocr", input_ref: corrupt.input_ref, payload: { language_hint: "deu" } });
    for (const d of [corrupt, text, german]) await w.send(d);
    const [a, b, c] = (await Promise.all([corrupt, text, german].map((d) => w.reply(resultOf(d))))) as ResultReply[];
    expect(a).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { code: "UNREADABLE_DOCUMENT", message: expect.stringContaining("cannot be decoded") },
    });
    expect(b).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { code: "CONTENT_TYPE_MISMATCH", message: "The input is declared image/png but its bytes are TEXT (text/plain; charset=utf-8)" },
    });
    expect(c).toMatchObject({ status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "UNSUPPORTED_LANGUAGE" } });
  });

  it("fails an image over the pixel limit INPUT_TOO_LARGE from its header, before decoding it", async () => {
    // Only headers: decoding any of them would fail UNREADABLE_DOCUMENT (or take gigabytes), not INPUT_TOO_LARGE.
    const images: Array<[string, Buffer, string]> = [
      ["png", pngHeader(30000, 30000), "image/png"],
      ["jpg", jpegHeader(8000, 6000), "image/jpeg"],
      ["tif", tiffHeader(7000, 7000), "image/tiff"],
    ];
    const directives = await Promise.all(
      images.map(async ([ext, bytes, type]) =>
        w.directive({ step_type: "OCR", step_id: "ocr", input_ref: await w.upload(`bomb-${Date.now()}.${ext}`, bytes, type) }),
      ),
    );
    for (const d of directives) await w.send(d);
    const results = (await Promise.all(directives.map((d) => w.reply(resultOf(d))))) as ResultReply[];
    expect(results.map((r) => r.error?.code)).toEqual(["INPUT_TOO_LARGE", "INPUT_TOO_LARGE", "INPUT_TOO_LARGE"]);
    expect(results[0]).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { message: expect.stringContaining("30000 × 30000 pixels (900000000); OCR decodes at most 40000000") },
    });
  });

  it("refuses EMBEDDING chunking whose overlap is half the window or more, even when intake was skipped", async () => {
    const input = await w.upload(`words-${Date.now()}.txt`, "one two three four five six seven eight nine ten", "text/plain");
    const d = w.directive({ step_type: "EMBEDDING", step_id: "embedding", input_ref: input, payload: { chunking: { max_tokens: 1000, overlap_tokens: 999 } } });
    await w.send(d);
    expect(await w.reply(resultOf(d))).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { code: "INVALID_PAYLOAD", message: expect.stringContaining("less than half of max_tokens") },
    });
  });

  it("fails a missing input NON_RETRYABLE, and an input the payload schema rejects as INVALID_PAYLOAD", async () => {
    const missing = w.directive({
      step_type: "EMBEDDING",
      step_id: "embedding",
      input_ref: `${w.accountUrl}/inputs/${workersTenant}/nothing-here-${Date.now()}.txt`,
    });
    const badPayload = w.directive({ step_type: "EMBEDDING", step_id: "embedding", input_ref: missing.input_ref, payload: { chunking: { max_tokens: 0 } } });
    await w.send(missing);
    await w.send(badPayload);
    expect(await w.reply(resultOf(missing))).toMatchObject({ status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "INPUT_NOT_FOUND" } });
    expect(await w.reply(resultOf(badPayload))).toMatchObject({
      status: "FAILED",
      failure_class: "NON_RETRYABLE",
      error: { code: "INVALID_PAYLOAD", message: expect.stringContaining("/payload/chunking/max_tokens") },
    });
  });

  it("dead-letters a message that is not a directive, with the schema errors as the reason", async () => {
    await w.emulator.send("directives", [
      { messageId: `bad-${Date.now()}`, body: { type: "DIRECTIVE", job_id: "j-bad", step_type: "SIS" }, applicationProperties: { step_type: "SIS" } },
    ]);
    const letters = await until(
      () => w.emulator.deadLetters("directives", "platform-sis"),
      (l) => l.some((m) => (m.body as { job_id?: string }).job_id === "j-bad"),
    );
    const letter = letters.find((m) => (m.body as { job_id?: string }).job_id === "j-bad")!;
    expect(letter.deadLetterReason).toBe("InvalidDirective");
    expect(letter.deadLetterErrorDescription).toContain("lease_id");
  });
});

describe("idempotency on (job, step, attempt, lease)", () => {
  it("re-sends the recorded RESULT for a redelivered directive instead of redoing the work", async () => {
    const d = w.directive({ step_type: "EMBEDDING", step_id: "embedding", input_ref: await w.upload(`text-${Date.now()}.txt`, groundTruth, "text/plain") });
    await w.send(d);
    const first = (await w.reply(resultOf(d))) as ResultReply;
    const output = w.blobs.getContainerClient("workspaces").getBlobClient(`${workersTenant}/${d.job_id}/embedding/embeddings.jsonl`);
    const etag = (await output.getProperties()).etag;
    expect(await w.readBlob(markerUri(d))).toBeTruthy();

    await w.send(d, `${d.job_id}:embedding:1:DIRECTIVE:redelivered`);
    await w.reply((r) => resultOf(d)(r) && r !== first);
    const results = repliesOf(w.replies, d).filter((r) => r.type === "RESULT");
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual(results[0]);
    expect(repliesOf(w.replies, d).filter((r) => r.type === "ACK")).toHaveLength(1);
    expect((await output.getProperties()).etag).toBe(etag);
  });
});

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
