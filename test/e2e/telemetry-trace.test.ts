import { randomBytes } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { defaultTopology, serviceBusComponent, type ServiceBusHostComponent } from "../../devhost/servicebus/index.js";
import { devhostTelemetry, type SpanView } from "../../devhost/telemetry/index.js";
import { timerComponent } from "../../devhost/timer/index.js";
import { TopicNames } from "../../lib/config/names.js";
import { tableNames } from "../../lib/config/settings.js";
import { Ledger } from "../../lib/ledger/index.js";
import { packageRoot } from "../../lib/paths.js";
import { workerEntryPaths } from "../../workers/entries.js";
import { apiKeysSetting, newTestKey } from "../support/auth.js";
import { sleep } from "../support/lucius-devhost.js";
import { azuriteConnectionString } from "../support/storage.js";

// The real app and the real reference workers (compiled), with observer subscriptions on both
// topics so the test sees every directive and reply as the bus carried it.
const tag = randomBytes(4).toString("hex");
const apiKey = newTestKey("trace", ["*"]);
let host: DevHost;
let ledger: Ledger;
const directives: Array<Record<string, unknown>> = [];
const replies: Array<Record<string, unknown>> = [];
let inputUri: string;
let outputsUri: string;

beforeAll(async () => {
  const topology = defaultTopology();
  for (const topic of topology.topics) topic.subscriptions.push({ name: "observer" });
  const bus: ServiceBusHostComponent = serviceBusComponent({ tablePrefix: `tr${tag}`, topology });
  host = await startDevHost({
    appFiles: [...packageMainFiles(packageRoot), ...workerEntryPaths(packageRoot)],
    port: 0,
    azurite: { connectionString: azuriteConnectionString() },
    taskHub: `tr${tag}`,
    components: [bus, timerComponent()],
    logLevel: "silent",
    env: {
      LUCIUS_TABLE_PREFIX: `tr${tag}`,
      LUCIUS_API_KEYS: apiKeysSetting([apiKey]),
      LUCIUS_STEP_DEFAULTS: JSON.stringify({ ack_seconds: 10, lease_seconds: 30, max_attempts: 2, backoff_seconds: [0.2] }),
    },
  });
  bus.emulator.subscribe(
    TopicNames.directives,
    "observer",
    async (messages) => void directives.push(...messages.map((m) => m.body as Record<string, unknown>)),
  );
  bus.emulator.subscribe(TopicNames.replies, "observer", async (messages) => void replies.push(...messages.map((m) => m.body as Record<string, unknown>)));
  ledger = await Ledger.connect({
    storage: { kind: "connectionString", connectionString: host.connectionString },
    tables: tableNames({ LUCIUS_TABLE_PREFIX: `tr${tag}` }),
  });

  const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
  // In the tenant's places (devhost made the containers).
  const input = blobs.getContainerClient("inputs").getBlockBlobClient(`tenant-${tag}/trace.txt`);
  await input.uploadData(Buffer.from("Invoice 42 from Globex Corporation, total $1,234.56, due on 3 March 2026."), {
    blobHTTPHeaders: { blobContentType: "text/plain" },
  });
  inputUri = input.url;
  outputsUri = `${blobs.getContainerClient("outputs").url}/tenant-${tag}`;
});
afterAll(() => host?.stop());

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

async function submit(headers: Record<string, string>, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${host.url}/v1/commands`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey.key, ...headers },
    body: JSON.stringify({
      tenant_id: `tenant-${tag}`,
      request_type: "EMBEDDING",
      input_ref: { uri: inputUri, content_type: "text/plain" },
      output_ref: `${outputsUri}/trace-${hex(4)}/embeddings.jsonl`,
      payload: {},
      schema_version: "v1",
      idempotency_key: hex(8),
      ...extra,
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { job_id: string }).job_id;
}

async function until<T>(read: () => T | Promise<T>, ready: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (ready(value)) return value;
    await sleep(100);
  }
  throw new Error(`never saw ${what}`);
}

const traceIdOf = (traceparent: unknown) => String(traceparent).split("-")[1];
const spanIdOf = (traceparent: unknown) => String(traceparent).split("-")[2];
const one = (spans: SpanView[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};

/** Every span of a finished job, once its job span (recorded last) is there. */
async function spansOfJob(jobId: string): Promise<SpanView[]> {
  await until(
    () => ledger.getJob(jobId),
    (job) => job?.state === "SUCCEEDED",
    `job ${jobId} SUCCEEDED`,
  );
  return until(
    () =>
      devhostTelemetry()
        .spans.list()
        .filter((s) => s.attributes.job_id === jobId),
    (spans) => spans.some((s) => s.name === "lucius.job") && spans.filter((s) => s.name === "lucius.reply").length >= 2,
    `the spans of ${jobId}`,
  );
}

describe("one trace per job", () => {
  it("follows the POST's traceparent through the directive, the worker, its replies, the ledger and every span", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const jobId = await submit({ traceparent: `00-${traceId}-${clientSpanId}-01` });

    const job = await until(
      () => ledger.getJob(jobId),
      (j) => j?.state === "SUCCEEDED",
      "SUCCEEDED",
    );
    expect(traceIdOf(job!.traceparent)).toBe(traceId);

    const directive = await until(() => directives.find((d) => d.job_id === jobId && d.type === "DIRECTIVE"), Boolean, "the directive");
    expect(directive!.traceparent).toBe(job!.traceparent);
    const jobReplies = await until(
      () => replies.filter((r) => r.job_id === jobId),
      (r) => r.some((x) => x.type === "RESULT"),
      "the RESULT",
    );
    expect(jobReplies.map((r) => r.type)).toEqual(expect.arrayContaining(["ACK", "RESULT"]));
    for (const reply of jobReplies) {
      expect(traceIdOf(reply.traceparent)).toBe(traceId);
      // The worker continues the trace with a span of its own.
      expect(spanIdOf(reply.traceparent)).not.toBe(spanIdOf(directive!.traceparent));
    }

    const spans = await spansOfJob(jobId);
    for (const span of spans) expect(span.trace_id, span.name).toBe(traceId);
    const intake = one(spans, "lucius.intake");
    expect(intake).toMatchObject({
      parent_span_id: clientSpanId,
      kind: "server",
      attributes: { job_id: jobId, outcome: "created", "http.response.status_code": 202 },
    });
    expect(spanIdOf(job!.traceparent)).toBe(intake.span_id);
    // The handler names its authenticated caller to the span it is handed.
    expect(intake.attributes.caller).toMatch(/^[a-zA-Z]+:.+/);
    const attempt = one(spans, "lucius.step.attempt");
    expect(attempt).toMatchObject({ parent_span_id: intake.span_id, attributes: { step_type: "EMBEDDING", outcome: "succeeded", attempt_no: 1 } });
    const worker = one(spans, "lucius.worker.attempt");
    expect(worker).toMatchObject({ parent_span_id: intake.span_id, kind: "consumer", attributes: { outcome: "succeeded" } });
    expect(spanIdOf(jobReplies[0]!.traceparent)).toBe(worker.span_id);
    const replySpans = spans.filter((s) => s.name === "lucius.reply");
    expect(replySpans.map((s) => s.attributes.reply_type)).toEqual(expect.arrayContaining(["ACK", "RESULT"]));
    for (const span of replySpans) expect(span.parent_span_id).toBe(worker.span_id);
    expect(one(spans, "lucius.job")).toMatchObject({ parent_span_id: intake.span_id, attributes: { state: "SUCCEEDED" } });

    // The same trace is served at GET /_devhost/traces.
    const served = (await (await fetch(`${host.url}/_devhost/traces?trace_id=${traceId}`, { headers: { "x-functions-key": host.key } })).json()) as {
      spans: SpanView[];
    };
    expect(served.spans.map((s) => s.span_id)).toEqual(expect.arrayContaining(spans.map((s) => s.span_id)));
  }, 60_000);

  it("continues the envelope's traceparent when the request has no header", async () => {
    const traceId = hex(16);
    const jobId = await submit({}, { traceparent: `00-${traceId}-${hex(8)}-01` });
    const spans = await spansOfJob(jobId);
    expect(traceIdOf((await ledger.getJob(jobId))!.traceparent)).toBe(traceId);
    expect(new Set(spans.map((s) => s.trace_id))).toEqual(new Set([traceId]));
  }, 60_000);

  it("starts a new trace when neither carries one, and keeps the whole job in it", async () => {
    const jobId = await submit({});
    const spans = await spansOfJob(jobId);
    const traceId = traceIdOf((await ledger.getJob(jobId))!.traceparent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(spans.map((s) => s.trace_id))).toEqual(new Set([traceId]));
    expect(one(spans, "lucius.intake").parent_span_id).toBeUndefined();
  }, 60_000);
});
