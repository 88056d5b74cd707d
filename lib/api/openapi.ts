import { SchemaIds, type Contracts, type SchemaObject } from "../contracts/index.js";
import { maxPageSize, defaultPageSize } from "./jobs.js";

/**
 * Component names for the contract schemas. The document is self-contained: every schema from
 * contracts/ and protocols/ sits under components/schemas with its `$id` dropped and each
 * `$ref` rewritten to point there, so generators and gateways never fetch anything.
 */
const componentNames: Record<string, string> = {
  [SchemaIds.common]: "Common",
  [SchemaIds.ref]: "Ref",
  [SchemaIds.commandEnvelope]: "CommandEnvelope",
  [SchemaIds.directive]: "Directive",
  [SchemaIds.reply]: "Reply",
  [SchemaIds.ocrPayload]: "OcrPayload",
  [SchemaIds.embeddingPayload]: "EmbeddingPayload",
  [SchemaIds.sisPayload]: "SisPayload",
  [SchemaIds.reviewPayload]: "ReviewPayload",
  [SchemaIds.protocolRegistry]: "ProtocolRegistry",
  [SchemaIds.jobView]: "JobView",
  [SchemaIds.stepView]: "StepView",
  [SchemaIds.jobSteps]: "JobSteps",
  [SchemaIds.jobEvent]: "JobEvent",
  [SchemaIds.jobPage]: "JobPage",
  [SchemaIds.eventPage]: "EventPage",
  [SchemaIds.jobAccepted]: "JobAccepted",
  [SchemaIds.jobLinks]: "JobLinks",
  [SchemaIds.jobState]: "JobState",
  [SchemaIds.failure]: "Failure",
  [SchemaIds.problem]: "Problem",
};

/** Thrown when a contract schema references something the bundle does not hold. */
export class OpenApiBundleError extends Error {
  override readonly name = "OpenApiBundleError";
}

/** Where a `$ref` target (schema `$id` plus JSON pointer) lives in components/schemas. */
type Locate = (id: string, pointer: string) => string | undefined;

/** A copy of `node` with its top-level `$id`/`$schema`/`$defs` dropped and every `$ref` pointing into components/schemas. */
function rewrite(node: unknown, base: string, locate: Locate, top = true): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, base, locate, false));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Only a schema's own keywords: a property may well be named "$schema" (the registry has one).
    if (top && (key === "$id" || key === "$schema" || key === "$defs")) continue;
    if (key === "$ref" && typeof value === "string") {
      const target = new URL(value, base);
      const pointer = decodeURIComponent(target.hash.slice(1));
      target.hash = "";
      const located = locate(target.href, pointer);
      if (!located) throw new OpenApiBundleError(`${base}: $ref ${value} names no bundled schema`);
      out[key] = located;
      continue;
    }
    out[key] = rewrite(value, base, locate, false);
  }
  return out;
}

/**
 * Every contract schema, self-contained, by component name. A schema's `$defs` become
 * components of their own (named by the definition, or prefixed with the schema's name where
 * two share one), since generators such as openapi-typescript cannot type a `$ref` into a
 * component's `$defs`.
 */
export function bundleSchemas(schemas: ReadonlyMap<string, SchemaObject>): Record<string, unknown> {
  const names = new Map<string, string>();
  for (const id of schemas.keys()) {
    const name = componentNames[id];
    if (!name) throw new OpenApiBundleError(`schema ${id} has no component name in lib/api/openapi.ts`);
    names.set(id, name);
  }
  const defs = [...schemas].flatMap(([id, schema]) => Object.keys((schema.$defs as Record<string, unknown> | undefined) ?? {}).map((def) => ({ id, def })));
  const taken = (def: string) => defs.filter((d) => d.def === def).length > 1 || [...names.values()].includes(def);
  const defNames = new Map(defs.map(({ id, def }) => [`${id}#${def}`, taken(def) ? `${names.get(id)}${def}` : def]));
  const locate: Locate = (id, pointer) => {
    const name = names.get(id);
    if (!name) return undefined;
    const inDefs = /^\/\$defs\/([^/]+)(.*)$/.exec(pointer);
    if (inDefs) {
      const hoisted = defNames.get(`${id}#${inDefs[1]}`);
      return hoisted ? `#/components/schemas/${hoisted}${inDefs[2]}` : undefined;
    }
    return `#/components/schemas/${name}${pointer}`;
  };
  const components: Record<string, unknown> = {};
  for (const [id, schema] of schemas) {
    components[names.get(id)!] = rewrite(schema, id, locate);
    for (const [def, body] of Object.entries((schema.$defs as Record<string, unknown> | undefined) ?? {})) {
      if (typeof body === "object" && body !== null && "$defs" in body)
        throw new OpenApiBundleError(`${id}: $defs/${def} has $defs of its own, which the bundle does not hoist`);
      components[defNames.get(`${id}#${def}`)!] = rewrite(body, id, locate);
    }
  }
  return components;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const json = (description: string, schema: object, headers?: object) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema } },
});
const jobIdParam = { name: "job_id", in: "path", required: true, description: "The job's id", schema: { type: "string" } };
const pageParams = [
  { name: "limit", in: "query", description: "Page size", schema: { type: "integer", minimum: 1, maximum: maxPageSize, default: defaultPageSize } },
  { name: "continuation", in: "query", description: "Opaque token from the previous page", schema: { type: "string" } },
];
const unauthorized = problem("No credential, or a bad one (WWW-Authenticate names the schemes)");
const internal = problem("An unexpected failure on the server");
const unknownJob = problem("No such job among the caller's tenants");
const location = { Location: { description: "The job's URL", schema: { type: "string" } } };

type Operation = { operationId: string; summary: string; security?: unknown[]; responses: Record<string, unknown>; [key: string]: unknown };

/** Every route the app serves; test/unit/openapi-routes.test.ts fails when one is registered without being here. */
function paths(): Record<string, Record<string, Operation>> {
  const control = (action: string, operationId: string, summary: string) => ({
    post: {
      operationId,
      summary,
      tags: ["jobs"],
      parameters: [jobIdParam],
      responses: {
        "202": json(`The ${action} is accepted; the job's state now`, ref("JobAccepted")),
        "401": unauthorized,
        "404": unknownJob,
        "409": problem("The job's state does not allow this (`state` names it)"),
        "500": internal,
      },
    },
  });
  const review = (decision: string, operationId: string, summary: string) => ({
    post: {
      operationId,
      summary,
      tags: ["reviews"],
      parameters: [jobIdParam, { name: "step_id", in: "path", required: true, description: "The REVIEW step's id", schema: { type: "string" } }],
      requestBody: {
        required: false,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              properties: { comment: { type: "string", maxLength: 2000, description: "Recorded on the step's event with the decision and who made it" } },
            },
          },
        },
      },
      responses: {
        "202": json(`The ${decision} is recorded; the job's state now`, ref("JobAccepted")),
        "401": unauthorized,
        "403": problem("The credential lacks the review role (an API key's `roles`, the Entra app role Reviewer)"),
        "404": problem("No such job among the caller's tenants, or no such step"),
        "409": problem("The step is not awaiting approval: decided already, timed out, cancelled, or not reached"),
        "415": problem("A body that is not application/json"),
        "422": problem("A body that is not { comment }"),
        "500": internal,
      },
    },
  });
  return {
    "/v1/commands": {
      post: {
        operationId: "submitCommand",
        summary: "Submit a command; creates a job exactly once per idempotency key",
        tags: ["commands"],
        requestBody: { required: true, content: { "application/json": { schema: ref("CommandEnvelope") } } },
        responses: {
          "202": json("Job accepted", ref("JobAccepted"), location),
          "200": json("Idempotent replay of an earlier identical command (header Idempotent-Replayed: true)", ref("JobAccepted"), {
            ...location,
            "Idempotent-Replayed": { description: "true on a replay", schema: { type: "string", enum: ["true"] } },
          }),
          "400": problem("Invalid JSON, nesting too deep, or unknown request_type"),
          "401": unauthorized,
          "403": problem("tenant_id is not one of the caller's tenants"),
          "409": problem("Idempotency key reused with a different body (`job_id` names the job that owns it)"),
          "413": problem("Body over the size limit"),
          "415": problem("Content-Type is not JSON"),
          "422": problem("Body does not match the contract; `errors` lists JSON pointers"),
          "429": problem("The tenant or the app has too many jobs in flight (Retry-After)"),
          "500": internal,
          "503": problem("An identical command is being accepted right now; retry shortly"),
        },
      },
    },
    "/v1/jobs": {
      get: {
        operationId: "listJobs",
        summary: "A tenant's jobs, newest first",
        tags: ["jobs"],
        parameters: [
          { name: "tenant_id", in: "query", required: true, description: "The tenant whose jobs to list", schema: { type: "string" } },
          { name: "state", in: "query", description: "Only jobs in this state", schema: ref("JobState") },
          ...pageParams,
        ],
        responses: {
          "200": json("A page of jobs", ref("JobPage")),
          "400": problem("Invalid query"),
          "401": unauthorized,
          "404": problem("tenant_id is not one of the caller's tenants"),
          "500": internal,
        },
      },
    },
    "/v1/jobs/{job_id}": {
      get: {
        operationId: "getJob",
        summary: "A job with its steps",
        tags: ["jobs"],
        parameters: [jobIdParam],
        responses: { "200": json("The job", ref("JobView")), "401": unauthorized, "404": unknownJob, "500": internal },
      },
    },
    "/v1/jobs/{job_id}/steps": {
      get: {
        operationId: "getJobSteps",
        summary: "A job's steps",
        tags: ["jobs"],
        parameters: [jobIdParam],
        responses: { "200": json("The steps in protocol order", ref("JobSteps")), "401": unauthorized, "404": unknownJob, "500": internal },
      },
    },
    "/v1/jobs/{job_id}/events": {
      get: {
        operationId: "getJobEvents",
        summary: "A job's audit timeline, oldest first",
        tags: ["jobs"],
        parameters: [jobIdParam, ...pageParams],
        responses: {
          "200": json("A page of events", ref("EventPage")),
          "400": problem("Invalid query"),
          "401": unauthorized,
          "404": unknownJob,
          "500": internal,
        },
      },
    },
    "/v1/jobs/{job_id}/outputs": {
      get: {
        operationId: "getJobOutputs",
        summary: "What a job's steps wrote, read from their output blobs: OCR text, chunk count and dimension, the SIS analysis",
        tags: ["jobs"],
        parameters: [jobIdParam],
        responses: {
          "200": json("The outputs of the steps that produced one", {
            type: "object",
            properties: {
              ocr: {
                type: "object",
                required: ["uri", "text", "lines"],
                properties: {
                  uri: { type: "string" },
                  text: { type: "string", description: "Every page's text in order, a form feed between pages" },
                  lines: { type: "integer" },
                  mean_confidence: { type: "number", minimum: 0, maximum: 1 },
                  pages: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["page", "confidence", "text_layer"],
                      properties: {
                        page: { type: "integer", minimum: 1 },
                        confidence: { type: "number", minimum: 0, maximum: 1 },
                        text_layer: { type: "boolean" },
                      },
                    },
                  },
                },
              },
              embedding: {
                type: "object",
                required: ["uri", "chunks", "dimension"],
                properties: { uri: { type: "string" }, chunks: { type: "integer" }, dimension: { type: "integer" } },
              },
              sis: { type: "object", required: ["uri", "analysis"], properties: { uri: { type: "string" }, analysis: { type: "object" } } },
            },
          }),
          "401": unauthorized,
          "404": unknownJob,
          "500": internal,
          "503": problem("The outputs could not be read from storage"),
        },
      },
    },
    "/v1/jobs/{job_id}/cancel": control("cancel", "cancelJob", "Cancel a QUEUED, RUNNING, PAUSED or AWAITING_APPROVAL job"),
    "/v1/jobs/{job_id}/steps/{step_id}/approve": review(
      "approve",
      "approveStep",
      "Approve a step AWAITING_APPROVAL: the job goes on with the previous step's output",
    ),
    "/v1/jobs/{job_id}/steps/{step_id}/reject": review("reject", "rejectStep", "Reject a step AWAITING_APPROVAL: the job ends FAILED with REJECTED"),
    "/v1/jobs/{job_id}/pause": control("pause", "pauseJob", "Pause a RUNNING job: nothing new is dispatched until resume"),
    "/v1/jobs/{job_id}/resume": control("resume", "resumeJob", "Resume a PAUSED job"),
    "/v1/jobs/{job_id}/redrive": control("redrive", "redriveJob", "Run a FAILED job again from its failed step"),
    "/v1/protocols": {
      get: {
        operationId: "getProtocols",
        summary: "The protocol registry",
        tags: ["protocols"],
        responses: { "200": json("The registry", ref("ProtocolRegistry")), "401": unauthorized, "500": internal },
      },
    },
    "/v1/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This document; open without a credential",
        tags: ["meta"],
        security: [],
        responses: { "200": json("OpenAPI 3.1", { type: "object" }), "500": internal },
      },
    },
    "/health": {
      get: {
        operationId: "health",
        summary: "Liveness; open without a credential",
        tags: ["meta"],
        security: [],
        responses: {
          "200": json("Alive", { type: "object", required: ["status"], properties: { status: { const: "ok" } }, additionalProperties: false }),
        },
      },
    },
    "/ready": {
      get: {
        operationId: "ready",
        summary: "Readiness: dependencies reachable",
        tags: ["meta"],
        responses: {
          "200": json("Ready", {
            type: "object",
            required: ["status", "checks"],
            properties: { status: { const: "ready" }, checks: { type: "object", additionalProperties: { type: "string" } } },
            additionalProperties: false,
          }),
          "401": unauthorized,
          "500": internal,
          "503": problem("A dependency is unreachable"),
        },
      },
    },
  };
}

/** How callers authenticate (lib/auth): an API key, or an Entra ID token through App Service authentication. */
const securitySchemes = {
  apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "A key from LUCIUS_API_KEYS; it may use the tenants listed with it" },
  entra: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Entra ID token for the Lucius app registration; app roles Tenant.<id> / Tenant.All grant tenants, Reviewer grants approve and reject",
  },
};

const tags = [
  { name: "commands", description: "Submitting work" },
  { name: "jobs", description: "Reading and steering jobs" },
  { name: "reviews", description: "Deciding steps that wait for a person (list them with GET /v1/jobs?state=AWAITING_APPROVAL)" },
  { name: "protocols", description: "What can be submitted" },
  { name: "meta", description: "This document, liveness and readiness" },
];

export interface OpenApiOptions {
  /** The package version (info.version). */
  version: string;
  /** Where the document is served from, e.g. https://func-x.azurewebsites.net: the one `servers` entry. */
  serverUrl: string;
}

/** The OpenAPI 3.1 document, built from the same schemas the API validates and answers with. */
export function buildOpenApi(contracts: Contracts, options: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Lucius",
      version: options.version,
      description: "Document-intelligence pipeline orchestrator. Errors are RFC 9457 problem documents (application/problem+json).",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: options.serverUrl, description: "This deployment" }],
    security: [{ apiKey: [] }, { entra: [] }],
    tags,
    paths: paths(),
    components: { schemas: bundleSchemas(contracts.schemas), securitySchemes },
  };
}
