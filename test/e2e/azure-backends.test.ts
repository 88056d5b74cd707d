import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startCliDevhost, type CliDevhost } from "./cli-harness.js";
import { packageRoot } from "../../lib/paths.js";
import {
  identityAnswer,
  identityHeader,
  identityPath,
  identitySettings,
  identityToken,
  startStandIn,
  type StandIn,
  type StandInAnswer,
  type StandInRequest,
} from "../support/azure-stand-in.js";

// Jobs through devhost and the reference workers with their Azure backends: Document Intelligence
// for OCR, Azure OpenAI for EMBEDDING and SIS, all answered by one loopback stand-in. The workers
// get their tokens as on App Service: DefaultAzureCredential's managed identity asks the stand-in's
// IDENTITY_ENDPOINT, so no test-only credential is involved.

const invoice = join(packageRoot, "samples/invoice.png");
const apiVersion = "api-version=2024-11-30";
const analyzePath = `/documentintelligence/documentModels/prebuilt-read:analyze?${apiVersion}`;
const embeddingsPath = "/openai/deployments/emb/embeddings?api-version=2024-10-21";
const chatPath = "/openai/deployments/chat/chat/completions?api-version=2024-10-21";
const standInLines = ["STAND-IN INVOICE No. 7731", "Amount due: EUR 4,321.00"];

/** A `prebuilt-read` result: two lines whose words carry their spans and confidences. */
function readResult(): object {
  let offset = 0;
  const lines = standInLines.map((content, row) => {
    const words = content.split(" ").map((word) => {
      const w = {
        content: word,
        confidence: 0.9,
        polygon: [0, row * 20, 50, row * 20, 50, row * 20 + 15, 0, row * 20 + 15],
        span: { offset, length: word.length },
      };
      offset += word.length + 1;
      return w;
    });
    return {
      line: {
        content,
        polygon: [0, row * 20, 200, row * 20, 200, row * 20 + 15, 0, row * 20 + 15],
        spans: [{ offset: words[0]!.span.offset, length: content.length }],
      },
      words,
    };
  });
  return {
    status: "succeeded",
    analyzeResult: {
      modelId: "prebuilt-read",
      content: standInLines.join("\n"),
      pages: [{ pageNumber: 1, lines: lines.map((l) => l.line), words: lines.flatMap((l) => l.words) }],
    },
  };
}

/** What the current scenario answers instead of the well-behaved default, per route and per call to it. */
type Fault = (route: "analyze" | "result" | "embeddings" | "chat", n: number) => StandInAnswer | undefined;
let fault: Fault = () => undefined;
const counts = new Map<string, number>();

function answer(request: StandInRequest, _n: number, base: string): StandInAnswer {
  if (request.url.startsWith(identityPath)) return identityAnswer(request);
  if (request.headers.authorization !== `Bearer ${identityToken}`)
    return { status: 401, body: { error: { code: "401", message: "no token from the identity endpoint" } } };
  const route =
    request.method === "POST" && request.url === analyzePath
      ? "analyze"
      : request.method === "GET" && request.url.includes("/analyzeResults/")
        ? "result"
        : request.method === "POST" && request.url === embeddingsPath
          ? "embeddings"
          : request.method === "POST" && request.url === chatPath
            ? "chat"
            : undefined;
  if (!route) return { status: 404, body: { error: { code: "404", message: `no route ${request.method} ${request.url}` } } };
  const n = counts.get(route) ?? 0;
  counts.set(route, n + 1);
  const faulty = fault(route, n);
  if (faulty) return faulty;
  switch (route) {
    case "analyze":
      return {
        status: 202,
        headers: {
          "operation-location": `${base}/documentintelligence/documentModels/prebuilt-read/analyzeResults/op-${n}?${apiVersion}`,
          "retry-after-ms": "10",
        },
      };
    case "result":
      return { status: 200, body: readResult() };
    case "embeddings": {
      const input = (JSON.parse(request.body.toString()) as { input: string[] }).input;
      return {
        status: 200,
        body: { object: "list", data: input.map((_, index) => ({ object: "embedding", index, embedding: [3, 4, 0, 0] })), model: "text-embedding-3-small" },
      };
    }
    case "chat":
      return {
        status: 200,
        body: {
          id: "c-1",
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: '{"summary":"A stand-in invoice for EUR 4,321.00."}' }, finish_reason: "stop" }],
        },
      };
  }
}

let standIn: StandIn;
let devhost: CliDevhost;
beforeAll(async () => {
  standIn = await startStandIn(answer);
  devhost = await startCliDevhost({
    workers: true,
    env: {
      ...identitySettings(standIn),
      LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT: standIn.url,
      LUCIUS_OPENAI_ENDPOINT: standIn.url,
      LUCIUS_OPENAI_EMBEDDING_DEPLOYMENT: "emb",
      LUCIUS_OPENAI_CHAT_DEPLOYMENT: "chat",
      // Two attempts a step, retried after 0.2 s: a persistent fault ends its job in seconds.
      LUCIUS_STEP_DEFAULTS: JSON.stringify({ ack_seconds: 10, lease_seconds: 60, max_attempts: 2, backoff_seconds: [0.2] }),
    },
  });
}, 90_000);
afterAll(async () => {
  await devhost?.stop();
  await standIn?.close();
});

/** Runs one job on the invoice with `scenario`'s faults; returns its status and the requests the stand-in received for it. */
async function job(scenario: Fault, exit: number) {
  fault = scenario;
  counts.clear();
  const from = standIn.requests.length;
  const run = await devhost.lucius(["submit", invoice, "--request-type", "OCR->EMBEDDING->SIS", "--watch", "--json"]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(exit);
  const id = String(json(run).job_id);
  const status = json(await devhost.lucius(["status", id, "--json"]));
  const requests = standIn.requests.slice(from);
  return { id, status, requests, data: requests.filter((r) => !r.url.startsWith(identityPath)) };
}
const steps = (status: Record<string, unknown>) =>
  (status.steps as Array<{ step_id: string; state: string; attempt_no: number; failure_class?: string }>).map((s) => [
    s.step_id,
    s.state,
    s.attempt_no,
    s.failure_class,
  ]);
const routes = (requests: StandInRequest[]) => requests.map((r) => `${r.method} ${r.url.replace(/op-\d+/, "op-N")}`);
const resultRoute = `GET /documentintelligence/documentModels/prebuilt-read/analyzeResults/op-N?${apiVersion}`;

describe("the reference workers' Azure backends, end to end under devhost", () => {
  it("OCR by Document Intelligence, embeddings and analysis by Azure OpenAI, with managed-identity tokens: the job SUCCEEDS with the stand-in's text", async () => {
    const { id, status, data } = await job(() => undefined, 0);
    expect(status.state).toBe("SUCCEEDED");
    // Every data-plane request carried the identity endpoint's token (others are answered 401 above).
    expect(data.every((r) => r.headers.authorization === `Bearer ${identityToken}`)).toBe(true);
    expect(routes(data)).toEqual([`POST ${analyzePath}`, resultRoute, `POST ${embeddingsPath}`, `POST ${chatPath}`]);
    const [analyze, , embeddings, chat] = data;
    expect(analyze!.headers["content-type"]).toBe("application/octet-stream");
    expect(analyze!.body.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(true);
    expect(JSON.parse(embeddings!.body.toString()).input.join(" ")).toContain("STAND-IN INVOICE No. 7731");
    expect(JSON.parse(chat!.body.toString())).toMatchObject({
      messages: [{ role: "system" }, { role: "user", content: expect.stringContaining("Amount due: EUR 4,321.00") }],
    });
    // The tokens were asked for Cognitive Services by the App Service protocol (MSAL caches them, so
    // later jobs may ask none: all token requests so far are checked, and there must be some).
    const tokenRequests = standIn.requests.filter((r) => r.url.startsWith(identityPath));
    expect(tokenRequests.length).toBeGreaterThan(0);
    for (const r of tokenRequests) {
      const url = new URL(r.url, standIn.url);
      expect([r.method, url.searchParams.get("resource"), url.searchParams.get("api-version"), r.headers["x-identity-header"]]).toEqual([
        "GET",
        "https://cognitiveservices.azure.com",
        "2019-08-01",
        identityHeader,
      ]);
    }
    const outputs = await devhost.lucius(["outputs", id]);
    expect(outputs.code, outputs.stderr).toBe(0);
    expect(outputs.stdout).toContain(standInLines[0]);
    expect(outputs.stdout).toContain(standInLines[1]);
    expect(outputs.stdout).toMatch(/Embedding: \d+ chunks? × 4 dimensions/);
    expect(outputs.stdout).toContain("Semantic analysis (azure-openai:chat");
    expect(outputs.stdout).toContain("A stand-in invoice for EUR 4,321.00.");
  }, 60_000);
  it("a 429 with retry-after from Azure OpenAI embeddings is waited out inside the attempt: the job still SUCCEEDS on attempt 1", async () => {
    const throttled = { status: 429, headers: { "retry-after-ms": "50" }, body: { error: { code: "429", message: "Rate limit is exceeded." } } };
    const { status, data } = await job((route, n) => (route === "embeddings" && n === 0 ? throttled : undefined), 0);
    expect(status.state).toBe("SUCCEEDED");
    expect(steps(status)).toEqual([
      ["ocr", "SUCCEEDED", 1, undefined],
      ["embedding", "SUCCEEDED", 1, undefined],
      ["sis", "SUCCEEDED", 1, undefined],
    ]);
    expect(routes(data)).toEqual([`POST ${analyzePath}`, resultRoute, `POST ${embeddingsPath}`, `POST ${embeddingsPath}`, `POST ${chatPath}`]);
  }, 60_000);

  it("a 401 from Document Intelligence fails the job at OCR, NON_RETRYABLE MODEL_REJECTED, after one request", async () => {
    const denied = { status: 401, body: { error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } } };
    const { status, data } = await job((route) => (route === "analyze" ? denied : undefined), 1);
    expect(status.state).toBe("FAILED");
    expect(status.error).toMatchObject({ code: "MODEL_REJECTED", step_id: "ocr" });
    expect(steps(status)).toEqual([
      ["ocr", "FAILED", 1, "NON_RETRYABLE"],
      ["embedding", "PENDING", 0, undefined],
      ["sis", "PENDING", 0, undefined],
    ]);
    expect(routes(data)).toEqual([`POST ${analyzePath}`]);
  }, 60_000);

  it("a 5xx that persists fails OCR RETRYABLE on each of its two attempts, and then the job", async () => {
    const broken = { status: 500, body: { error: { code: "InternalServerError", message: "An unexpected error occurred." } } };
    const { status, data } = await job((route) => (route === "analyze" ? broken : undefined), 1);
    expect(status.state).toBe("FAILED");
    expect(status.error).toMatchObject({ code: "MODEL_UNAVAILABLE", details: { status: 500 }, attempts: 2, reason: "ATTEMPTS_EXHAUSTED", step_id: "ocr" });
    expect(steps(status)).toEqual([
      ["ocr", "FAILED", 2, "RETRYABLE"],
      ["embedding", "PENDING", 0, undefined],
      ["sis", "PENDING", 0, undefined],
    ]);
    expect(routes(data)).toEqual([`POST ${analyzePath}`, `POST ${analyzePath}`]);
  }, 60_000);

  it("a malformed answer (a chat completion without choices) fails SIS with MODEL_MALFORMED_RESPONSE once its attempts are used", async () => {
    const { status, data } = await job(
      (route) => (route === "chat" ? { status: 200, body: { id: "c-1", object: "chat.completion", choices: [] } } : undefined),
      1,
    );
    expect(status.state).toBe("FAILED");
    expect(status.error).toMatchObject({ code: "MODEL_MALFORMED_RESPONSE", attempts: 2, reason: "ATTEMPTS_EXHAUSTED", step_id: "sis" });
    expect(steps(status)).toEqual([
      ["ocr", "SUCCEEDED", 1, undefined],
      ["embedding", "SUCCEEDED", 1, undefined],
      ["sis", "FAILED", 2, "RETRYABLE"],
    ]);
    expect(routes(data).filter((r) => r === `POST ${chatPath}`)).toHaveLength(2);
  }, 60_000);
});
