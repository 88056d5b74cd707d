import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { embedderFor } from "../../workers/embedding/embedders.js";
import { DocumentIntelligenceRecognizer } from "../../workers/ocr/document-intelligence.js";
import { readPages } from "../../workers/ocr/read-pages.js";
import { pdfDocument, scanPage, textPage } from "../../scripts/make-sample-pages.mjs";
import { render, smooth } from "../../scripts/make-sample-document.mjs";
import { WorkerError } from "../../workers/runtime/index.js";
import { chatAnalysis } from "../../workers/sis/chat.js";
import { recordedWaits, standInCredential, startStandIn, type StandIn, type StandInAnswer, type StandInRequest } from "../support/azure-stand-in.js";

const image = readFileSync(new URL("../../samples/invoice.png", import.meta.url));
let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const serve = async (answer: (request: StandInRequest, n: number, base: string) => StandInAnswer) => (standIn = await startStandIn(answer));
const outcome = (run: Promise<unknown>) =>
  run.then(
    () => "ok",
    (e: unknown) => (e instanceof WorkerError ? `${e.code}/${e.failureClass}` : `not a WorkerError: ${String(e)}`),
  );
const signal = () => new AbortController().signal;

const analyzePath = "/documentintelligence/documentModels/prebuilt-read:analyze?api-version=2024-11-30";
const resultPath = "/documentintelligence/documentModels/prebuilt-read/analyzeResults/op-1?api-version=2024-11-30";
/** A `prebuilt-read` result for a page of two lines (content offsets as the service gives them). */
const readResult = {
  status: "succeeded",
  analyzeResult: {
    apiVersion: "2024-11-30",
    modelId: "prebuilt-read",
    content: "INVOICE No. 2026-0042\nTotal due: $1,234.56",
    pages: [
      {
        pageNumber: 1,
        words: [
          { content: "INVOICE", confidence: 0.99, polygon: [10, 10, 90, 10, 90, 30, 10, 30], span: { offset: 0, length: 7 } },
          { content: "No.", confidence: 0.95, polygon: [95, 10, 120, 10, 120, 30, 95, 30], span: { offset: 8, length: 3 } },
          { content: "2026-0042", confidence: 0.9, polygon: [125, 10, 200, 10, 200, 30, 125, 30], span: { offset: 12, length: 9 } },
          { content: "Total", confidence: 0.98, polygon: [10, 40, 60, 40, 60, 60, 10, 60], span: { offset: 22, length: 5 } },
          { content: "due:", confidence: 0.97, polygon: [65, 40, 100, 40, 100, 60, 65, 60], span: { offset: 28, length: 4 } },
          { content: "$1,234.56", confidence: 0.61, polygon: [105, 40, 190, 40, 190, 60, 105, 60], span: { offset: 33, length: 9 } },
        ],
        lines: [
          { content: "INVOICE No. 2026-0042", polygon: [10, 10, 200, 10, 200, 30, 10, 30], spans: [{ offset: 0, length: 21 }] },
          { content: "Total due: $1,234.56", polygon: [10, 40, 190, 40, 190, 60, 10, 60], spans: [{ offset: 22, length: 20 }] },
        ],
      },
    ],
  },
};
const accepted = (base: string): StandInAnswer => ({ status: 202, headers: { "operation-location": `${base}${resultPath}`, "retry-after": "1" } });

describe("Azure AI Document Intelligence (prebuilt-read) against a stand-in", () => {
  const recognizer = (s: StandIn, waits = recordedWaits()) =>
    new DocumentIntelligenceRecognizer({ endpoint: s.url, credential: standInCredential, wait: waits.wait });

  it("posts the image to :analyze, polls operation-location as retry-after says, and reads lines, words and confidence", async () => {
    const s = await serve((request, n, base) =>
      n === 0 ? accepted(base) : n === 1 ? { status: 200, headers: { "retry-after": "2" }, body: { status: "running" } } : { status: 200, body: readResult },
    );
    const waits = recordedWaits();
    const page = await recognizer(s, waits).recognize(image, { blocks: true, signal: signal() });
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${analyzePath}`, `GET ${resultPath}`, `GET ${resultPath}`]);
    const [post, poll] = s.requests;
    expect(post!.headers).toMatchObject({ authorization: "Bearer stand-in-token", "content-type": "application/octet-stream" });
    expect(post!.body.equals(image)).toBe(true);
    expect(poll!.headers.authorization).toBe("Bearer stand-in-token");
    expect(waits.waits).toEqual([1000, 2000]);
    expect(page.text).toBe("INVOICE No. 2026-0042\nTotal due: $1,234.56");
    expect(page.confidence).toBeCloseTo((0.99 + 0.95 + 0.9 + 0.98 + 0.97 + 0.61) / 6, 3);
    expect(page.lines.map((l) => [l.text, l.words.map((w) => w.text), l.bbox])).toEqual([
      ["INVOICE No. 2026-0042", ["INVOICE", "No.", "2026-0042"], { x0: 10, y0: 10, x1: 200, y1: 30 }],
      ["Total due: $1,234.56", ["Total", "due:", "$1,234.56"], { x0: 10, y0: 40, x1: 190, y1: 60 }],
    ]);
  });

  it("reads a PDF's text-layer page itself and sends only its scanned page, rendered as PNG, to the service", async () => {
    const s = await serve((request, n, base) => (request.method === "POST" ? accepted(base) : { status: 200, body: readResult }));
    const pdf = pdfDocument([textPage(["Cover letter"]), scanPage(smooth(render(["INVOICE No. 2026-0042"])))]);
    const pages = await readPages(pdf, "pdf", {
      recognizer: recognizer(s),
      maxPages: 10,
      maxPixels: 40_000_000,
      blocks: false,
      signal: signal(),
      onProgress: () => undefined,
    });
    expect(pages.map((p) => [p.page, p.text_layer, p.text.split("\n")[0]])).toEqual([
      [1, true, "Cover letter"],
      [2, false, "INVOICE No. 2026-0042"],
    ]);
    const posts = s.requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  });

  it("retries a 429 after the delay it advertises, then succeeds", async () => {
    const s = await serve((request, n, base) =>
      n === 0
        ? { status: 429, headers: { "retry-after": "7" }, body: { error: { code: "429", message: "Rate limit is exceeded." } } }
        : n === 1
          ? accepted(base)
          : { status: 200, body: readResult },
    );
    const waits = recordedWaits();
    const page = await recognizer(s, waits).recognize(image, { blocks: false, signal: signal() });
    expect(s.requests.map((r) => r.method)).toEqual(["POST", "POST", "GET"]);
    expect(waits.waits).toEqual([7000, 1000]);
    expect(page.text).toContain("Total due: $1,234.56");
  });

  it("fails RETRYABLE MODEL_UNAVAILABLE when throttling outlasts the retries, with the delay in the details", async () => {
    const s = await serve(() => ({ status: 429, headers: { "retry-after-ms": "1500" }, body: { error: { code: "429", message: "busy" } } }));
    const failure = await recognizer(s)
      .recognize(image, { blocks: false, signal: signal() })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "MODEL_UNAVAILABLE", failureClass: "RETRYABLE", details: { status: 429, retry_after_ms: 1500 } });
    expect(s.requests).toHaveLength(3);
  });

  it("fails 401 NON_RETRYABLE MODEL_REJECTED after one request, and 5xx RETRYABLE MODEL_UNAVAILABLE", async () => {
    let status = 401;
    const s = await serve(() => ({
      status,
      body: status === 401 ? { error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } } : "oops",
    }));
    expect(await outcome(recognizer(s).recognize(image, { blocks: false, signal: signal() }))).toBe("MODEL_REJECTED/NON_RETRYABLE");
    expect(s.requests).toHaveLength(1);
    status = 502;
    expect(await outcome(recognizer(s).recognize(image, { blocks: false, signal: signal() }))).toBe("MODEL_UNAVAILABLE/RETRYABLE");
  });

  it("fails malformed answers with MODEL_MALFORMED_RESPONSE: no operation-location, a poll that is not JSON, success without pages", async () => {
    const cases: Array<(n: number, base: string) => StandInAnswer> = [
      () => ({ status: 202 }),
      (n, base) => (n === 0 ? accepted(base) : { status: 200, body: "<html>gateway</html>" }),
      (n, base) => (n === 0 ? accepted(base) : { status: 200, body: { status: "succeeded", analyzeResult: {} } }),
      (n, base) => (n === 0 ? accepted(base) : { status: 200, body: { status: "exploded" } }),
    ];
    for (const answer of cases) {
      const s = await serve((request, n, base) => answer(n, base));
      expect(await outcome(recognizer(s).recognize(image, { blocks: false, signal: signal() }))).toBe("MODEL_MALFORMED_RESPONSE/RETRYABLE");
      await s.close();
      standIn = undefined;
    }
  });

  it("fails an analysis the service reports failed NON_RETRYABLE MODEL_REJECTED with its error code", async () => {
    const s = await serve((request, n, base) =>
      n === 0
        ? accepted(base)
        : { status: 200, body: { status: "failed", error: { code: "InvalidContent", message: "The file is corrupted or format is unsupported." } } },
    );
    const failure = await recognizer(s)
      .recognize(image, { blocks: false, signal: signal() })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "MODEL_REJECTED", failureClass: "NON_RETRYABLE", details: { service_error: "InvalidContent" } });
  });
});

describe("Azure OpenAI (embeddings, chat completions) against a stand-in", () => {
  const settings = (s: StandIn, waits = recordedWaits()) => ({
    endpoint: s.url,
    credential: standInCredential,
    wait: waits.wait,
    embeddingDeployment: "emb",
    chatDeployment: "chat",
  });
  const chat = (s: StandIn, waits = recordedWaits()) =>
    chatAnalysis(
      { ...settings(s, waits), chatDeployment: "chat" },
      "Find the invoice's facts.",
      "Total due: $1,234.56",
      { response_format: "JSON", temperature: 0, max_tokens: 50 },
      signal(),
    );
  const chatAnswer = (content: string) => ({
    status: 200,
    body: { id: "c-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] },
  });

  it("embeds through the deployment's embeddings route with a bearer token, vectors in input order", async () => {
    const s = await serve(() => ({
      status: 200,
      body: {
        object: "list",
        data: [
          { object: "embedding", index: 1, embedding: [0, 2] },
          { object: "embedding", index: 0, embedding: [3, 4] },
        ],
        model: "text-embedding-3-small",
      },
    }));
    const vectors = await embedderFor(undefined, true, settings(s)).embed(["first", "second"], signal());
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /openai/deployments/emb/embeddings?api-version=2024-10-21"]);
    expect(s.requests[0]!.headers).toMatchObject({ authorization: "Bearer stand-in-token", "content-type": "application/json" });
    expect(JSON.parse(s.requests[0]!.body.toString())).toEqual({ input: ["first", "second"] });
    expect(vectors).toEqual([
      [0.6, 0.8],
      [0, 1],
    ]);
  });

  it("asks chat/completions for a JSON object and retries a 429 after its retry-after", async () => {
    const s = await serve((request, n) =>
      n === 0
        ? {
            status: 429,
            headers: { "retry-after": "4" },
            body: { error: { code: "429", message: "Requests to the ChatCompletions_Create Operation have exceeded the rate limit." } },
          }
        : chatAnswer('{"total":"$1,234.56"}'),
    );
    const waits = recordedWaits();
    const analysis = await chat(s, waits);
    expect(waits.waits).toEqual([4000]);
    expect(s.requests.map((r) => r.url)).toEqual(Array(2).fill("/openai/deployments/chat/chat/completions?api-version=2024-10-21"));
    expect(JSON.parse(s.requests[1]!.body.toString())).toMatchObject({
      temperature: 0,
      max_tokens: 50,
      response_format: { type: "json_object" },
      messages: [{ role: "system" }, { role: "user", content: "Total due: $1,234.56" }],
    });
    expect(analysis).toEqual({ model: "azure-openai:chat", output: { total: "$1,234.56" }, truncated_input: false });
  });

  it("fails 401 NON_RETRYABLE MODEL_REJECTED and 5xx RETRYABLE MODEL_UNAVAILABLE", async () => {
    let status = 401;
    const s = await serve(() => ({ status, body: { error: { code: String(status), message: "no" } } }));
    expect(await outcome(chat(s))).toBe("MODEL_REJECTED/NON_RETRYABLE");
    status = 503;
    expect(await outcome(embedderFor(undefined, false, settings(s)).embed(["a"], signal()))).toBe("MODEL_UNAVAILABLE/RETRYABLE");
    expect(s.requests).toHaveLength(2);
  });

  it("fails malformed answers with MODEL_MALFORMED_RESPONSE: a body that is not JSON, no choices, embeddings that are not vectors", async () => {
    const answers: StandInAnswer[] = [{ status: 200, body: "not json" }, { status: 200, body: { choices: [] } }, chatAnswer("not a JSON object")];
    for (const answer of answers) {
      const s = await serve(() => answer);
      expect(await outcome(chat(s))).toBe("MODEL_MALFORMED_RESPONSE/RETRYABLE");
      await s.close();
      standIn = undefined;
    }
    const s = await serve(() => ({ status: 200, body: { data: [{ index: 0, embedding: "0.1,0.2" }] } }));
    expect(await outcome(embedderFor(undefined, false, settings(s)).embed(["a"], signal()))).toBe("MODEL_MALFORMED_RESPONSE/RETRYABLE");
  });
});
