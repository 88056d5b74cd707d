import { SchemaIds, type Contracts, type SchemaObject } from "../contracts/index.js";
import { JobState } from "../ledger/index.js";
import { maxPageSize } from "./jobs.js";

/** Component names for the contract schemas (their `$id`s stay, so relative `$ref`s resolve as in contracts/). */
const componentNames: Record<string, string> = {
  [SchemaIds.common]: "Common",
  [SchemaIds.ref]: "Ref",
  [SchemaIds.commandEnvelope]: "CommandEnvelope",
  [SchemaIds.directive]: "Directive",
  [SchemaIds.reply]: "Reply",
  [SchemaIds.ocrPayload]: "OcrPayload",
  [SchemaIds.embeddingPayload]: "EmbeddingPayload",
  [SchemaIds.sisPayload]: "SisPayload",
  [SchemaIds.protocolRegistry]: "ProtocolRegistry",
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const json = (description: string, schema: object) => ({ description, content: { "application/json": { schema } } });
const jobIdParam = { name: "job_id", in: "path", required: true, schema: { type: "string" } };
const pageParams = [
  { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: maxPageSize, default: 50 } },
  { name: "continuation", in: "query", schema: { type: "string" }, description: "Opaque token from the previous page" },
];

const problemSchema = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string", format: "uri" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", required: ["pointer", "message"], properties: { pointer: { type: "string" }, message: { type: "string" } } },
    },
  },
};

const accepted = {
  type: "object",
  required: ["job_id", "status", "links"],
  properties: { job_id: { type: "string" }, status: { enum: Object.values(JobState) }, links: { type: "object" } },
};

function paths() {
  const jobRead = (summary: string, extra: object[] = []) => ({
    get: {
      summary,
      parameters: [jobIdParam, ...extra],
      responses: { "200": json(summary, { type: "object" }), "404": problem("Unknown job") },
    },
  });
  return {
    "/v1/commands": {
      post: {
        summary: "Submit a command; creates a job exactly once per idempotency key",
        requestBody: { required: true, content: { "application/json": { schema: ref("CommandEnvelope") } } },
        responses: {
          "202": json("Job accepted", accepted),
          "200": json("Idempotent replay of an earlier identical command (header Idempotent-Replayed: true)", accepted),
          "400": problem("Invalid JSON, nesting too deep, or unknown request_type"),
          "403": problem("tenant_id is not one of the caller's tenants"),
          "409": problem("Idempotency key reused with a different body"),
          "413": problem("Body over the size limit"),
          "415": problem("Content-Type is not JSON"),
          "422": problem("Body does not match the contract; `errors` lists JSON pointers"),
        },
      },
    },
    "/v1/jobs": {
      get: {
        summary: "A tenant's jobs, newest first",
        parameters: [
          { name: "tenant_id", in: "query", required: true, schema: { type: "string" } },
          { name: "state", in: "query", schema: { enum: Object.values(JobState) } },
          ...pageParams,
        ],
        responses: {
          "200": json("A page of jobs", { type: "object" }),
          "400": problem("Invalid query"),
          "404": problem("tenant_id is not one of the caller's tenants"),
        },
      },
    },
    "/v1/jobs/{job_id}": jobRead("A job with its steps"),
    "/v1/jobs/{job_id}/steps": jobRead("A job's steps"),
    "/v1/jobs/{job_id}/events": jobRead("A job's audit timeline, oldest first", pageParams),
    "/v1/jobs/{job_id}/outputs": jobRead("What a job's steps wrote, read from their output blobs: OCR text, chunk count and dimension, the SIS analysis"),
    "/v1/protocols": { get: { summary: "The protocol registry", responses: { "200": json("Registry", ref("ProtocolRegistry")) } } },
    "/v1/openapi.json": { get: { summary: "This document", responses: { "200": json("OpenAPI 3.1", { type: "object" }) } } },
    "/health": { get: { summary: "Liveness; the one route open without a credential", security: [], responses: { "200": json("Alive", { type: "object" }) } } },
    "/ready": {
      get: {
        summary: "Readiness: dependencies reachable",
        responses: { "200": json("Ready", { type: "object" }), "503": problem("A dependency is unreachable") },
      },
    },
  };
}

/** How callers authenticate (lib/auth): an API key, or an Entra ID token through App Service authentication. */
const securitySchemes = {
  apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "A key from LUCIUS_API_KEYS; it may use the tenants listed with it" },
  entra: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Entra ID token for the Lucius app registration; app roles Tenant.<id> / Tenant.All grant tenants" },
};

/** Every operation but the open ones answers 401 without a valid credential. */
function withUnauthorized(all: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>) {
  for (const operations of Object.values(all)) {
    for (const operation of Object.values(operations)) {
      if (operation.security?.length !== 0) operation.responses["401"] = problem("No credential, or a bad one (WWW-Authenticate names the schemes)");
    }
  }
  return all;
}

/** The OpenAPI 3.1 document, built from the same schemas the API validates with. */
export function buildOpenApi(contracts: Contracts, version: string): Record<string, unknown> {
  const schemas: Record<string, SchemaObject | object> = { Problem: problemSchema };
  for (const [id, schema] of contracts.schemas) schemas[componentNames[id] ?? id] = schema;
  return {
    openapi: "3.1.0",
    info: { title: "Lucius", version, description: "Document-intelligence pipeline orchestrator" },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    security: [{ apiKey: [] }, { entra: [] }],
    paths: withUnauthorized(paths()),
    components: { schemas, securitySchemes },
  };
}
