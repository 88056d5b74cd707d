import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { DurableExtensionDouble } from "../support/durable-extension-double.js";
import { httpRequest, invocationContext, jsonRequest } from "../support/http.js";
import { apiKeysSetting, newTestKey, withKey } from "../support/auth.js";
import { ProblemType } from "../../lib/http/problem.js";
import { ocrEmbeddingCommand } from "../support/commands.js";

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
const handlers: Record<string, Handler> = {};
const tables = uniqueTableNames();
const extension = new DurableExtensionDouble();
/** Access control has its own tests (auth-*.test.ts); these requests carry a key for every tenant. */
const testKey = newTestKey("api-tests", ["*"]);

async function call(name: string, request: HttpRequest) {
  const response = await handlers[name]!(withKey(request, testKey.key), invocationContext(name, extension.clientBinding()));
  return { status: response.status ?? 200, headers: new Headers(response.headers as Record<string, string>), body: JSON.parse(String(response.body)) };
}

const command = (tenant: string, n: number) => ocrEmbeddingCommand(tenant, n, "job");

const created: string[] = [];

beforeAll(async () => {
  process.env.AzureWebJobsStorage = azuriteConnectionString();
  process.env.LUCIUS_API_KEYS = apiKeysSetting([testKey]);
  process.env.LUCIUS_TABLE_PREFIX = tables.jobs.slice(0, -"jobs".length);
  await extension.start();
  handlers.submit = (await import("../../functions/post-command.js")).submitCommand;
  handlers.getJob = (await import("../../functions/get-job.js")).getJob;
  handlers.steps = (await import("../../functions/get-job-steps.js")).getJobSteps;
  handlers.events = (await import("../../functions/get-job-events.js")).getJobEvents;
  handlers.list = (await import("../../functions/list-jobs.js")).listJobs;
  handlers.protocols = (await import("../../functions/get-protocols.js")).getProtocols;
  handlers.openapi = (await import("../../functions/get-openapi.js")).getOpenApi;
  for (let n = 0; n < 5; n++) {
    const response = await call("submit", jsonRequest("/v1/commands", command("tenant-list", n)));
    created.push(response.body.job_id);
  }
  await call("submit", jsonRequest("/v1/commands", command("tenant-other", 99)));
});
afterAll(() => extension.stop());

describe("reading jobs", () => {
  it("GET /v1/jobs/{id} returns the job with its steps", async () => {
    const id = created[0]!;
    const response = await call("getJob", httpRequest({ path: `/v1/jobs/${id}`, params: { job_id: id } }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ job_id: id, state: "QUEUED", protocol_id: "ocr-embedding.v1", tenant_id: "tenant-list" });
    expect(response.body.steps.map((s: { step_id: string; state: string }) => [s.step_id, s.state])).toEqual([
      ["ocr", "PENDING"],
      ["embedding", "PENDING"],
    ]);
    expect(response.body.etag).toBeUndefined();
  });

  it.each([
    ["getJob", "/v1/jobs/no-such-job"],
    ["steps", "/v1/jobs/no-such-job/steps"],
    ["events", "/v1/jobs/no-such-job/events"],
  ])("%s answers 404 problem+json for an unknown job", async (name, path) => {
    const response = await call(name, httpRequest({ path, params: { job_id: "no-such-job" } }));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toBe(ProblemType.notFound);
  });

  it("GET /v1/jobs/{id}/events shows the creation", async () => {
    const id = created[1]!;
    const response = await call("events", httpRequest({ path: `/v1/jobs/${id}/events`, params: { job_id: id } }));
    expect(response.status).toBe(200);
    expect(response.body.events[0]).toMatchObject({ job_id: id, type: "JOB_CREATED" });
  });

  it("GET /v1/jobs lists a tenant's jobs newest first, page by page, and no one else's", async () => {
    const seen: string[] = [];
    let continuation: string | undefined;
    do {
      const query = `tenant_id=tenant-list&limit=2${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ""}`;
      const page = await call("list", httpRequest({ path: `/v1/jobs?${query}` }));
      expect(page.status).toBe(200);
      expect(page.body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.jobs.map((j: { job_id: string }) => j.job_id));
      continuation = page.body.continuation;
    } while (continuation);
    expect(seen).toEqual([...created].reverse());
  });

  it("filters by state", async () => {
    const queued = await call("list", httpRequest({ path: "/v1/jobs?tenant_id=tenant-list&state=QUEUED" }));
    const running = await call("list", httpRequest({ path: "/v1/jobs?tenant_id=tenant-list&state=RUNNING" }));
    expect(queued.body.jobs).toHaveLength(5);
    expect(running.body.jobs).toHaveLength(0);
  });

  it.each([
    ["no tenant", "/v1/jobs"],
    ["an unknown state", "/v1/jobs?tenant_id=t&state=DONE"],
    ["a zero limit", "/v1/jobs?tenant_id=t&limit=0"],
    ["a limit over the maximum", "/v1/jobs?tenant_id=t&limit=201"],
    ["a non-numeric limit", "/v1/jobs?tenant_id=t&limit=ten"],
    ["a forged continuation", "/v1/jobs?tenant_id=t&continuation=not-a-token"],
    ["a tenant_id too long for a Table key", `/v1/jobs?tenant_id=${"a".repeat(5000)}`],
    ["a tenant_id of 81 é", `/v1/jobs?tenant_id=${encodeURIComponent("é".repeat(81))}`],
  ])("GET /v1/jobs answers 400 for %s", async (_name, path) => {
    const response = await call("list", httpRequest({ path }));
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(ProblemType.invalidQuery);
  });
});

describe("describing the API", () => {
  it("GET /v1/protocols returns the seven shipped protocols", async () => {
    const response = await call("protocols", httpRequest({ path: "/v1/protocols" }));
    expect(response.body.protocols.map((p: { protocol_id: string }) => p.protocol_id).sort()).toEqual([
      "atomic-embedding.v1",
      "atomic-ocr.v1",
      "atomic-sis.v1",
      "embedding-sis.v1",
      "ocr-embedding-sis.v1",
      "ocr-embedding.v1",
      "ocr-review-embedding-sis.v1",
    ]);
  });

  it("GET /v1/openapi.json is OpenAPI 3.1 whose schemas compile and validate a command", async () => {
    const response = await call("openapi", httpRequest({ path: "/v1/openapi.json" }));
    expect(response.body.openapi).toBe("3.1.0");
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(["/v1/commands", "/v1/jobs", "/v1/jobs/{job_id}"]));
    // Self-contained: the schemas compile from the document alone, refs and all.
    const ajv = new Ajv2020({ strict: false, discriminator: true });
    ajv.addSchema(response.body, "openapi");
    const envelope = ajv.compile({ $ref: "openapi#/components/schemas/CommandEnvelope" });
    expect(envelope(command("t", 1))).toBe(true);
    expect(envelope({ ...command("t", 1), schema_version: "v2" })).toBe(false);
  });
});
