import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { DurableExtensionDouble } from "../support/durable-extension-double.js";
import { httpRequest, invocationContext, jsonRequest } from "../support/http.js";
import { countLedgerRows } from "../support/ledger-tables.js";
import { apiKeysSetting, newTestKey, principalHeader } from "../support/auth.js";
import { ProblemType } from "../../lib/http/problem.js";
import { ocrEmbeddingCommand } from "../support/commands.js";
import { setLogSink, type LogRecord } from "../../lib/telemetry/log.js";

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
const handlers: Record<string, Handler> = {};
const tables = uniqueTableNames();
const extension = new DurableExtensionDouble();

const keyA = newTestKey("a-only", ["tenant-a"]);
const keyB = newTestKey("b-only", ["tenant-b"]);
const keyAB = newTestKey("a-and-b", ["tenant-a", "tenant-b"]);

const command = (tenant: string, n: number) => ocrEmbeddingCommand(tenant, n, "auth");

async function call(name: string, request: HttpRequest) {
  const response = await handlers[name]!(request, invocationContext(name, extension.clientBinding()));
  const headers = new Headers(response.headers as Record<string, string>);
  return { status: response.status ?? 200, headers, body: JSON.parse(String(response.body)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const as = (key: string | undefined, extra: Record<string, string> = {}) => ({ ...(key === undefined ? {} : { "x-api-key": key }), ...extra });
const get = (path: string, params: Record<string, string>, headers: Record<string, string>) => httpRequest({ path, params, headers });
const post = (path: string, params: Record<string, string>, headers: Record<string, string>) => httpRequest({ method: "POST", path, params, headers });

/** Every job route, for one job id, with the handler that serves it. */
const jobRoutes = (id: string) =>
  [
    ["getJob", "GET", `/v1/jobs/${id}`],
    ["steps", "GET", `/v1/jobs/${id}/steps`],
    ["events", "GET", `/v1/jobs/${id}/events`],
    ["cancel", "POST", `/v1/jobs/${id}/cancel`],
    ["pause", "POST", `/v1/jobs/${id}/pause`],
    ["resume", "POST", `/v1/jobs/${id}/resume`],
    ["redrive", "POST", `/v1/jobs/${id}/redrive`],
  ] as const;

const rows = () => countLedgerRows(azuriteConnectionString(), tables);
let jobA = "";
let jobB = "";

beforeAll(async () => {
  process.env.AzureWebJobsStorage = azuriteConnectionString();
  process.env.LUCIUS_TABLE_PREFIX = tables.jobs.slice(0, -"jobs".length);
  process.env.LUCIUS_API_KEYS = apiKeysSetting([keyA, keyB, keyAB]);
  process.env.LUCIUS_TRUST_CLIENT_PRINCIPAL = "true";
  await extension.start();
  Object.assign(handlers, {
    // The handler as registered, with its intake telemetry, so its log line is written.
    submit: (await import("../../functions/post-command.js")).submitCommand,
    getJob: (await import("../../functions/get-job.js")).getJob,
    steps: (await import("../../functions/get-job-steps.js")).getJobSteps,
    events: (await import("../../functions/get-job-events.js")).getJobEvents,
    list: (await import("../../functions/list-jobs.js")).listJobs,
    cancel: (await import("../../functions/job-control.js")).cancelJob,
    pause: (await import("../../functions/job-control.js")).pauseJob,
    resume: (await import("../../functions/job-control.js")).resumeJob,
    redrive: (await import("../../functions/job-control.js")).redriveJob,
    protocols: (await import("../../functions/get-protocols.js")).getProtocols,
    openapi: (await import("../../functions/get-openapi.js")).getOpenApi,
    ready: (await import("../../functions/ready.js")).ready,
    health: (await import("../../functions/health.js")).health,
  });
  jobA = (await call("submit", jsonRequest("/v1/commands", command("tenant-a", 1), as(keyA.key)))).body.job_id;
  jobB = (await call("submit", jsonRequest("/v1/commands", command("tenant-b", 2), as(keyB.key)))).body.job_id;
  expect([jobA, jobB].every((id) => typeof id === "string" && id.length > 0)).toBe(true);
});
afterAll(() => extension.stop());

describe("a key for tenant A", () => {
  it("cannot read, cancel, pause, resume or redrive tenant B's job: 404 exactly like an unknown job, nothing changes", async () => {
    const before = { rows: await rows(), calls: extension.calls.length };
    for (const [name, method, path] of jobRoutes(jobB)) {
      const request = method === "GET" ? get(path, { job_id: jobB }, as(keyA.key)) : post(path, { job_id: jobB }, as(keyA.key));
      const answer = await call(name, request);
      const unknownPath = path.replace(jobB, "no-such-job");
      const unknownRequest =
        method === "GET" ? get(unknownPath, { job_id: "no-such-job" }, as(keyA.key)) : post(unknownPath, { job_id: "no-such-job" }, as(keyA.key));
      const unknown = await call(name, unknownRequest);
      expect({ name, status: answer.status, type: answer.body.type }).toEqual({ name, status: 404, type: ProblemType.notFound });
      expect(answer.body.detail.replace(jobB, "<id>")).toBe(unknown.body.detail.replace("no-such-job", "<id>"));
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await rows()).toEqual(before.rows);
    expect(extension.calls.length).toBe(before.calls);
    expect((await call("getJob", get(`/v1/jobs/${jobB}`, { job_id: jobB }, as(keyB.key)))).body.state).toBe("QUEUED");
  });

  it("cannot list tenant B's jobs (404, whether or not B has any), but lists its own", async () => {
    for (const tenant of ["tenant-b", "tenant-nobody"]) {
      const answer = await call("list", get(`/v1/jobs?tenant_id=${tenant}`, {}, as(keyA.key)));
      expect(answer.status).toBe(404);
      expect(answer.body).not.toHaveProperty("jobs");
    }
    const own = await call("list", get("/v1/jobs?tenant_id=tenant-a", {}, as(keyA.key)));
    expect(own.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([jobA]);
  });

  it("cannot submit for tenant B: 403 problem+json, nothing written, no orchestration started", async () => {
    const before = { rows: await rows(), starts: extension.startCalls().length };
    for (const tenant of ["tenant-b", "Tenant-A", " tenant-a"]) {
      const answer = await call("submit", jsonRequest("/v1/commands", command(tenant, 3), as(keyA.key)));
      expect(answer.status).toBe(403);
      expect(answer.body.type).toBe(ProblemType.forbidden);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await rows()).toEqual(before.rows);
    expect(extension.startCalls().length).toBe(before.starts);
  });
});

describe("a key for both tenants", () => {
  it("reads, lists and submits for both, and reaches B's job for control", async () => {
    for (const id of [jobA, jobB]) expect((await call("getJob", get(`/v1/jobs/${id}`, { job_id: id }, as(keyAB.key)))).status).toBe(200);
    const submitted = await call("submit", jsonRequest("/v1/commands", command("tenant-b", 4), as(keyAB.key)));
    expect(submitted.status).toBe(202);
    for (const tenant of ["tenant-a", "tenant-b"]) {
      expect((await call("list", get(`/v1/jobs?tenant_id=${tenant}`, {}, as(keyAB.key)))).body.jobs).toHaveLength(tenant === "tenant-a" ? 1 : 2);
    }
    // A QUEUED job cannot be paused: 409 shows the request got past access control to the job itself.
    const paused = await call("pause", post(`/v1/jobs/${jobB}/pause`, { job_id: jobB }, as(keyAB.key)));
    expect({ status: paused.status, type: paused.body.type, state: paused.body.state }).toEqual({ status: 409, type: ProblemType.conflict, state: "QUEUED" });
  });
});

describe("no credential, or a bad one", () => {
  it("gets 401 problem+json with WWW-Authenticate on every route but /health and /v1/openapi.json, and nothing is written", async () => {
    const before = { rows: await rows(), calls: extension.calls.length };
    const credentials = [
      as(undefined),
      as("not-a-key"),
      as(""),
      { "x-ms-client-principal": "%%%" },
      { "x-ms-client-principal": Buffer.from("{}").toString("base64") },
    ];
    for (const headers of credentials) {
      const requests: Array<[string, HttpRequest]> = [
        ["submit", jsonRequest("/v1/commands", command("tenant-a", 5), headers)],
        ["list", get("/v1/jobs?tenant_id=tenant-a", {}, headers)],
        ["protocols", get("/v1/protocols", {}, headers)],
        ["ready", get("/ready", {}, headers)],
        ...jobRoutes(jobA).map(([name, method, path]) => [name, (method === "GET" ? get : post)(path, { job_id: jobA }, headers)] as [string, HttpRequest]),
      ];
      for (const [name, request] of requests) {
        const answer = await call(name, request);
        expect({ name, status: answer.status, type: answer.body.type }).toEqual({ name, status: 401, type: ProblemType.unauthorized });
        expect(answer.headers.get("www-authenticate")).toContain('ApiKey realm="lucius", header="x-api-key"');
        expect(answer.headers.get("content-type")).toBe("application/problem+json");
      }
    }
    expect(await rows()).toEqual(before.rows);
    expect(extension.calls.length).toBe(before.calls);
    expect((await call("health", get("/health", {}, {}))).status).toBe(200);
    // The document is open like /health: generators and portals fetch it before they hold a key.
    for (const headers of credentials) expect((await call("openapi", get("/v1/openapi.json", {}, headers))).status).toBe(200);
  });

  it("a valid key opens /ready, /v1/protocols and /v1/openapi.json", async () => {
    for (const name of ["ready", "protocols", "openapi"]) expect((await call(name, get("/", {}, as(keyA.key)))).status).toBe(200);
  });

  it("the OpenAPI document says so: x-api-key or an Entra bearer token everywhere, 401 on every route but /health and itself", async () => {
    const document = (await call("openapi", get("/v1/openapi.json", {}, as(keyA.key)))).body;
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(document.components.securitySchemes.entra).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.security).toEqual([{ apiKey: [] }, { entra: [] }]);
    const operations = Object.entries(document.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.filter((o) => o.operation.security?.length === 0).map((o) => o.path)).toEqual(["/v1/openapi.json", "/health"]);
    expect(operations.filter((o) => o.operation.security?.length !== 0 && !o.operation.responses["401"])).toEqual([]);
    expect(Object.keys(document.paths["/v1/commands"].post.responses)).toContain("403");
  });
});

describe("an Entra principal (x-ms-client-principal, trusted here by the test-only setting)", () => {
  const principal = (roles: string[]) => principalHeader([{ typ: "oid", val: "user-1" }, ...roles.map((val) => ({ typ: "roles", val }))]);

  it("sees the tenants of its Tenant.<id> roles only", async () => {
    const onlyB = principal(["Tenant.tenant-b"]);
    expect((await call("getJob", get(`/v1/jobs/${jobB}`, { job_id: jobB }, onlyB))).status).toBe(200);
    expect((await call("getJob", get(`/v1/jobs/${jobA}`, { job_id: jobA }, onlyB))).status).toBe(404);
    expect((await call("list", get("/v1/jobs?tenant_id=tenant-a", {}, onlyB))).status).toBe(404);
    const before = await rows();
    expect((await call("submit", jsonRequest("/v1/commands", command("tenant-a", 6), onlyB))).status).toBe(403);
    expect(await rows()).toEqual(before);
  });

  it("with Tenant.All sees every tenant; with no tenant role sees none", async () => {
    expect((await call("getJob", get(`/v1/jobs/${jobA}`, { job_id: jobA }, principal(["Tenant.All"])))).status).toBe(200);
    const none = principal(["Reader"]);
    expect((await call("getJob", get(`/v1/jobs/${jobA}`, { job_id: jobA }, none))).status).toBe(404);
    expect((await call("submit", jsonRequest("/v1/commands", command("tenant-a", 7), none))).status).toBe(403);
  });
});

describe("the audit trail", () => {
  it("names who submitted a job and who controlled it, in its events and in the log, never quoting a key", async () => {
    const logged: LogRecord[] = [];
    const previous = setLogSink((record) => logged.push(record));
    try {
      const submitted = await call("submit", jsonRequest("/v1/commands", command("tenant-a", 8), as(keyA.key)));
      expect(submitted.status).toBe(202);
      const id = submitted.body.job_id as string;
      const admin = principalHeader([
        { typ: "oid", val: "user-9" },
        { typ: "roles", val: "Tenant.All" },
      ]);
      const cancelled = await call("cancel", post(`/v1/jobs/${id}/cancel`, { job_id: id }, admin));
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);

      const events = (await call("events", get(`/v1/jobs/${id}/events`, { job_id: id }, as(keyA.key)))).body.events as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(events.find((e) => e.type === "JOB_CREATED")?.details.submitted_by).toBe("apiKey:a-only");
      const cancelling = events.find((e) => e.type === "JOB_STATE_CHANGED" && e.details.to === "CANCELLING");
      expect(cancelling?.details.requested_by).toBe("entra:user-9");

      const intake = logged.find((r) => r.event === "intake.accepted" && r.job_id === id);
      expect(intake?.caller).toBe("apiKey:a-only");
      const control = logged.find((r) => r.event === "job.control" && r.job_id === id);
      expect(control).toMatchObject({ action: "cancel", caller: "entra:user-9", tenant_id: "tenant-a" });
      expect(JSON.stringify(logged)).not.toContain(keyA.key);
    } finally {
      setLogSink(previous);
    }
  });
});
