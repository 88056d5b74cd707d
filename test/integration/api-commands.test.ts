import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { DurableExtensionDouble } from "../support/durable-extension-double.js";
import { httpRequest, invocationContext, jsonRequest } from "../support/http.js";
import { apiKeysSetting, newTestKey, withKey } from "../support/auth.js";
import { countLedgerRows } from "../support/ledger-tables.js";
import { ProblemType } from "../../lib/http/problem.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "../support/tenant-refs.js";

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

const tables = uniqueTableNames();
const extension = new DurableExtensionDouble();
/** Access control has its own tests (auth-*.test.ts); these requests carry a key for every tenant. */
const testKey = newTestKey("api-tests", ["*"]);
let submit: Handler;

const validCommand = (overrides: Record<string, unknown> = {}) => {
  // Refs lie in the command's tenant's places in the run's Azurite, so intake accepts them.
  const tenant = typeof overrides.tenant_id === "string" ? overrides.tenant_id : "tenant-a";
  const accountUrl = blobAccountUrl(azuriteConnectionString());
  return {
    tenant_id: "tenant-a",
    request_type: "OCR->EMBEDDING->SIS",
    input_ref: { uri: tenantInput(accountUrl, tenant, "invoice.png"), content_type: "image/png" },
    output_ref: tenantOutput(accountUrl, tenant, "invoice"),
    payload: { steps: { ocr: { output_format: "JSON" }, sis: { temperature: 0.2 } } },
    schema_version: "v1",
    ...overrides,
  };
};

async function post(request: HttpRequest) {
  const response = await submit(withKey(request, testKey.key), invocationContext("submitCommand", extension.clientBinding()));
  const headers = new Headers(response.headers as Record<string, string>);
  return { status: response.status ?? 200, headers, body: JSON.parse(String(response.body ?? "null")) };
}

const rows = () => countLedgerRows(azuriteConnectionString(), tables);

/** Every in-flight counter row's ETag: it changes on any write, even one that keeps the count. */
async function counterVersions(): Promise<Record<string, string>> {
  const client = TableClient.fromConnectionString(azuriteConnectionString(), tables.inflight, { allowInsecureConnection: true });
  const versions: Record<string, string> = {};
  for await (const row of client.listEntities()) versions[`${row.partitionKey}/${row.rowKey}`] = String(row.etag);
  return versions;
}

beforeAll(async () => {
  process.env.AzureWebJobsStorage = azuriteConnectionString();
  process.env.LUCIUS_API_KEYS = apiKeysSetting([testKey]);
  process.env.LUCIUS_TABLE_PREFIX = tables.jobs.slice(0, -"jobs".length);
  process.env.LUCIUS_MAX_BODY_BYTES = String(16 * 1024);
  await extension.start();
  submit = (await import("../../functions/post-command.js")).submitCommand;
});
afterAll(() => extension.stop());
beforeEach(() => {
  extension.failStartWith = undefined;
});

describe("POST /v1/commands accepts a command", () => {
  it("creates the job and its steps and starts the orchestration with instanceId = job_id", async () => {
    const response = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "create-1" })));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: "QUEUED", links: { self: `/v1/jobs/${response.body.job_id}` } });
    expect(response.headers.get("location")).toBe(`/v1/jobs/${response.body.job_id}`);
    const started = extension.instances.get(response.body.job_id);
    expect(started).toMatchObject({
      name: "jobOrchestrator",
      input: { job_id: response.body.job_id, tenant_id: "tenant-a", protocol_id: "ocr-embedding-sis.v1" },
    });
  });

  it("replays an identical command: 200, same job, Idempotent-Replayed, no second start", async () => {
    const first = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "replay-1" })));
    const startsBefore = extension.startCalls().length;
    const second = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "replay-1" })));
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.job_id).toBe(first.body.job_id);
    expect(extension.startCalls().length).toBe(startsBefore);
  });

  it("uses the body fingerprint when no idempotency_key is given", async () => {
    const command = validCommand({ doc_id: "fingerprint-doc" });
    const first = await post(jsonRequest("/v1/commands", command));
    const second = await post(jsonRequest("/v1/commands", { ...command, correlation_id: "another-delivery" }));
    expect([first.status, second.status]).toEqual([202, 200]);
    expect(second.body.job_id).toBe(first.body.job_id);
  });

  it("starts a replayed job whose first start failed", async () => {
    extension.failStartWith = 500;
    const first = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "start-fails" })));
    expect(first.status).toBe(500);
    expect(first.headers.get("content-type")).toBe("application/problem+json");
    extension.failStartWith = undefined;
    const retry = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "start-fails" })));
    expect(retry.status).toBe(200);
    expect(extension.instances.has(retry.body.job_id)).toBe(true);
  });

  it("turns 50 concurrent identical submissions into one job and 49 replays", async () => {
    const command = validCommand({ idempotency_key: "burst-50", tenant_id: "tenant-burst" });
    const startsBefore = extension.startCalls().length;
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(jsonRequest("/v1/commands", command))));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(new Set(responses.map((r) => r.body.job_id)).size).toBe(1);
    expect(extension.startCalls().length - startsBefore).toBe(1);
  });
});

describe("POST /v1/commands refuses bad input with a specific problem and writes nothing", () => {
  const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  const cases: Array<[string, () => HttpRequest, number, string, string?]> = [
    [
      "invalid JSON",
      () => httpRequest({ method: "POST", path: "/v1/commands", body: '{"tenant_id": ', headers: { "content-type": "application/json" } }),
      400,
      ProblemType.invalidJson,
    ],
    [
      "a body that is not UTF-8",
      () => httpRequest({ method: "POST", path: "/v1/commands", body: Buffer.from([0x7b, 0xff, 0x7d]), headers: { "content-type": "application/json" } }),
      400,
      ProblemType.invalidJson,
    ],
    [
      "an unknown request_type",
      () => jsonRequest("/v1/commands", validCommand({ request_type: "TRANSLATE" })),
      400,
      ProblemType.unknownRequestType,
      "/request_type",
    ],
    ["BURST without doc_id", () => jsonRequest("/v1/commands", validCommand({ mode: "BURST" })), 422, ProblemType.validation, "/doc_id"],
    ["a missing required field", () => jsonRequest("/v1/commands", { ...validCommand(), input_ref: undefined }), 422, ProblemType.validation, "/input_ref"],
    ["an unknown field", () => jsonRequest("/v1/commands", validCommand({ tenantId: "camel" })), 422, ProblemType.validation, "/tenantId"],
    ["an array where an object belongs", () => jsonRequest("/v1/commands", validCommand({ payload: [] })), 422, ProblemType.validation, "/payload"],
    ["a body that is an array", () => jsonRequest("/v1/commands", [validCommand()]), 422, ProblemType.validation, ""],
    ["a huge string", () => jsonRequest("/v1/commands", validCommand({ tenant_id: "t".repeat(5000) })), 422, ProblemType.validation, "/tenant_id"],
    // Each escapes to more than a Table key holds (five characters for each one outside the verbatim set).
    ["a tenant_id of 81 é", () => jsonRequest("/v1/commands", validCommand({ tenant_id: "é".repeat(81) })), 422, ProblemType.validation, "/tenant_id"],
    ["a tenant_id of 81 !", () => jsonRequest("/v1/commands", validCommand({ tenant_id: "!".repeat(81) })), 422, ProblemType.validation, "/tenant_id"],
    [
      "a tenant_id of a and 80 spaces",
      () => jsonRequest("/v1/commands", validCommand({ tenant_id: `a${" ".repeat(80)}` })),
      422,
      ProblemType.validation,
      "/tenant_id",
    ],
    [
      "a tenant_id with a bidi override",
      () => jsonRequest("/v1/commands", validCommand({ tenant_id: "tenant-\u202ea" })),
      422,
      ProblemType.validation,
      "/tenant_id",
    ],
    [
      "a tenant_id with a zero-width space",
      () => jsonRequest("/v1/commands", validCommand({ tenant_id: "tenant\u200b-a" })),
      422,
      ProblemType.validation,
      "/tenant_id",
    ],
    [
      "a tenant_id with a lone surrogate",
      () => jsonRequest("/v1/commands", validCommand({ tenant_id: "tenant-\ud800" })),
      422,
      ProblemType.validation,
      "/tenant_id",
    ],
    [
      "a tenant_id with a control character",
      () => jsonRequest("/v1/commands", validCommand({ tenant_id: "tenant\u0007" })),
      422,
      ProblemType.validation,
      "/tenant_id",
    ],
    [
      "a number out of range (1e400) in input_ref.metadata",
      () =>
        httpRequest({
          method: "POST",
          path: "/v1/commands",
          body: JSON.stringify(validCommand({ input_ref: { uri: "https://x/y", metadata: { n: 1 } } })).replace('"n":1', '"n":1e400'),
          headers: { "content-type": "application/json" },
        }),
      422,
      ProblemType.validation,
      "/input_ref/metadata/n",
    ],
    [
      "a __proto__ key",
      () =>
        httpRequest({
          method: "POST",
          path: "/v1/commands",
          body: JSON.stringify(validCommand()).replace('"payload":{', '"payload":{"__proto__":{"polluted":true},'),
          headers: { "content-type": "application/json" },
        }),
      422,
      ProblemType.validation,
      "/payload/__proto__",
    ],
    [
      "a constructor key",
      () => jsonRequest("/v1/commands", validCommand({ input_ref: { uri: "https://x/y", metadata: { constructor: { prototype: {} } } } })),
      422,
      ProblemType.validation,
      "/input_ref/metadata/constructor",
    ],
    [
      "a step payload that breaks its schema",
      () => jsonRequest("/v1/commands", validCommand({ payload: { steps: { sis: { temperature: 9 } } } })),
      422,
      ProblemType.validation,
      "/payload/steps/sis/temperature",
    ],
    [
      "EMBEDDING chunking whose overlap would multiply the input",
      () => jsonRequest("/v1/commands", validCommand({ payload: { steps: { embedding: { chunking: { max_tokens: 1000, overlap_tokens: 999 } } } } })),
      422,
      ProblemType.validation,
      "/payload/steps/embedding/chunking/overlap_tokens",
    ],
    [
      "EMBEDDING chunking with half the window as overlap (shared payload)",
      () => jsonRequest("/v1/commands", validCommand({ payload: { chunking: { max_tokens: 10, overlap_tokens: 5 } } })),
      422,
      ProblemType.validation,
      "/payload/chunking/overlap_tokens",
    ],
    [
      "a step the protocol does not have",
      () => jsonRequest("/v1/commands", validCommand({ request_type: "OCR", payload: { steps: { sis: {} } } })),
      422,
      ProblemType.validation,
      "/payload/steps/sis",
    ],
    [
      "deep nesting",
      () => httpRequest({ method: "POST", path: "/v1/commands", body: `{"payload":${deep(5000)}}`, headers: { "content-type": "application/json" } }),
      400,
      ProblemType.bodyTooDeep,
    ],
    [
      "a body over the size limit",
      () => jsonRequest("/v1/commands", validCommand({ payload: { filler: "x".repeat(20 * 1024) } })),
      413,
      ProblemType.bodyTooLarge,
    ],
    [
      "a non-JSON content type",
      () => httpRequest({ method: "POST", path: "/v1/commands", body: JSON.stringify(validCommand()), headers: { "content-type": "text/plain" } }),
      415,
      ProblemType.unsupportedMediaType,
    ],
    [
      "no content type",
      () => httpRequest({ method: "POST", path: "/v1/commands", body: JSON.stringify(validCommand()) }),
      415,
      ProblemType.unsupportedMediaType,
    ],
  ];

  it.each(cases)("%s", async (_name, request, status, type, pointer) => {
    const before = await rows();
    const startsBefore = extension.startCalls().length;
    const response = await post(request());
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
    if (pointer !== undefined) expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect(await rows()).toEqual(before);
    expect(extension.startCalls().length).toBe(startsBefore);
  });

  it("answers 409 when an idempotency key is reused with a different body", async () => {
    await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "reused" })));
    const before = await rows();
    const countersBefore = await counterVersions();
    const response = await post(jsonRequest("/v1/commands", validCommand({ idempotency_key: "reused", doc_id: "other" })));
    expect(response.status).toBe(409);
    expect(response.body.type).toBe(ProblemType.idempotencyConflict);
    expect(await rows()).toEqual(before);
    // Not even rewritten with the same count: a conflict takes no in-flight place.
    expect(await counterVersions()).toEqual(countersBefore);
  });
});
