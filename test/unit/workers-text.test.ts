import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkPlan, chunkText, hashingDimension, hashingEmbed } from "../../workers/embedding/index.js";
import { documentText, TextSource } from "../../workers/text/read-text.js";
import { joinChunks, tokenSpans } from "../../workers/text/tokens.js";
import { WorkerError, WorkerErrorCode } from "../../workers/runtime/index.js";

const sample = readFileSync(new URL("../fixtures/documents/sample-invoice.txt", import.meta.url), "utf8");
const doc = (text: string | Buffer, contentType?: string) => ({
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text),
  uri: "x",
  ...(contentType ? { contentType } : {}),
});
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

describe("chunking over whitespace tokens", () => {
  it.each([
    [0, 5, 1, 0],
    [3, 5, 1, 1],
    [5, 5, 1, 1],
    [6, 5, 1, 2],
    [13, 5, 1, 3],
    [14, 5, 1, 4],
    [30, 8, 2, 5],
    [100, 10, 0, 10],
  ])("%i tokens, max %i, overlap %i → %i chunks", (n, max, overlap, expected) => {
    const chunks = chunkText(words(n), { maxTokens: max, overlapTokens: overlap });
    expect(chunks).toHaveLength(expected);
    expect(chunks.every((c) => c.tokens <= max)).toBe(true);
    if (n > 0) expect(chunks.at(-1)!.text.endsWith(`w${n - 1}`)).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const previous = tokenSpans(chunks[i - 1]!.text).map((t) => t.text);
      const current = tokenSpans(chunks[i]!.text).map((t) => t.text);
      expect(current.slice(0, overlap)).toEqual(previous.slice(previous.length - overlap));
    }
  });

  it("keeps line breaks inside a chunk and rebuilds the text from overlapping chunks", () => {
    const chunks = chunkText(sample, { maxTokens: 7, overlapTokens: 3 });
    expect(chunks[0]!.text).toContain("\n");
    expect(joinChunks(chunks.map((c) => c.text))).toBe(sample.trim());
  });

  it("refuses an overlap that does not leave the window moving, and unknown strategies", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof WorkerError ? `${error.code}/${error.failureClass}` : String(error);
      }
      return "no error";
    };
    expect(code(() => chunkPlan({ max_tokens: 4, overlap_tokens: 4 }))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
    // Half the window or more would let one token land in many chunks (999 of 1000: ~1000×).
    expect(code(() => chunkPlan({ max_tokens: 1000, overlap_tokens: 999 }))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
    expect(code(() => chunkPlan({ max_tokens: 10, overlap_tokens: 5 }))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
    expect(chunkPlan({ max_tokens: 10, overlap_tokens: 4 })).toEqual({ maxTokens: 10, overlapTokens: 4 });
    expect(chunkPlan({ max_tokens: 1 })).toEqual({ maxTokens: 1, overlapTokens: 0 });
    expect(code(() => chunkPlan({ strategy: "semantic" }))).toBe(`${WorkerErrorCode.invalidPayload}/NON_RETRYABLE`);
    expect(chunkPlan(undefined)).toEqual({ maxTokens: 200, overlapTokens: 20 });
    expect(chunkPlan({ max_tokens: 10 })).toEqual({ maxTokens: 10, overlapTokens: 4 });
  });
});

describe("feature-hashing embedder", () => {
  it("is deterministic, 256-dimensional and unit length when normalized", () => {
    const a = hashingEmbed("Total due: $1,234.56", true);
    expect(a).toHaveLength(hashingDimension);
    expect(hashingDimension).toBe(256);
    expect(hashingEmbed("Total due: $1,234.56", true)).toEqual(a);
    expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 5);
    const raw = hashingEmbed("Total due: $1,234.56", false);
    expect(raw.every((v) => Number.isInteger(v))).toBe(true);
    expect(hashingEmbed("", true).every((v) => v === 0)).toBe(true);
  });

  it("puts lexically similar texts closer than unrelated ones", () => {
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    const invoice = hashingEmbed("invoice total due payment thirty days", true);
    const similar = hashingEmbed("payment of the invoice total is due in thirty days", true);
    const other = hashingEmbed("the weather in spring is mild with light rain", true);
    expect(cos(invoice, similar)).toBeGreaterThan(cos(invoice, other));
  });
});

describe("document text", () => {
  it("reads OCR JSON, JSONL chunks and plain text", () => {
    expect(documentText(doc(JSON.stringify({ text: "hello world", lines: [] })), "SIS")).toEqual({ text: "hello world", source: TextSource.ocrJson });
    expect(documentText(doc(JSON.stringify({ lines: [{ text: "a b" }, { text: "c" }] })), "SIS").text).toBe("a b\nc");
    const jsonl = [
      { chunk_id: "c0", text: "one two three", vector: [] },
      { chunk_id: "c1", text: "three four", vector: [] },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    expect(documentText(doc(jsonl), "SIS")).toEqual({ text: "one two three four", source: TextSource.chunks });
    expect(documentText(doc("{ not json at all"), "SIS")).toEqual({ text: "{ not json at all", source: TextSource.plain });
  });

  it("refuses binary input as NON_RETRYABLE UNSUPPORTED_CONTENT_TYPE", () => {
    const png = readFileSync(new URL("../fixtures/documents/sample-invoice.png", import.meta.url));
    expect(() => documentText(doc(png, "image/png"), "EMBEDDING")).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.unsupportedContentType, failureClass: "NON_RETRYABLE" }),
    );
  });
});
