import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { packageRoot } from "../../lib/paths.js";
import { httpRequest, invocationContext } from "../support/http.js";
import { OpenApiChecker } from "../support/openapi-check.js";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
let document: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let status: number;
const work = mkdtempSync(join(tmpdir(), "lucius-openapi-"));

beforeAll(async () => {
  process.env.AzureWebJobsStorage = azuriteConnectionString();
  process.env.LUCIUS_TABLE_PREFIX = uniqueTableNames().jobs.slice(0, -"jobs".length);
  const getOpenApi = (await import("../../functions/get-openapi.js")).getOpenApi as Handler;
  // No credential: the document is open, like /health.
  const response = await getOpenApi(httpRequest({ path: "/v1/openapi.json" }), invocationContext("getOpenApi"));
  status = response.status ?? 200;
  document = JSON.parse(String(response.body));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const refsIn = (node: unknown): string[] =>
  Array.isArray(node)
    ? node.flatMap(refsIn)
    : typeof node === "object" && node !== null
      ? Object.entries(node).flatMap(([key, value]) => (key === "$ref" && typeof value === "string" ? [value] : refsIn(value)))
      : [];

describe("the served OpenAPI document", () => {
  it("answers 200 without a key, with servers naming where it is served", () => {
    expect(status).toBe(200);
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "http://localhost:7071", description: "This deployment" }]);
  });

  it("is self-contained: every $ref points into the document, and each resolves", () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((ref) => !ref.startsWith("#/components/schemas/"))).toEqual([]);
    const checker = new OpenApiChecker(document as never);
    expect(checker.route("/v1/jobs/abc/cancel")).toBe("/v1/jobs/{job_id}/cancel");
  });

  it("validates with @apidevtools/swagger-parser", async () => {
    const api = await SwaggerParser.validate(structuredClone(document) as never);
    expect(Object.keys(api.paths ?? {})).toContain("/v1/jobs/{job_id}/redrive");
  });

  it("lints with @redocly/openapi-core's recommended rules without an error", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const results = await lintFromString({ source: JSON.stringify(document), absoluteRef: join(work, "openapi.json"), config });
    const errors = results.filter((r) => r.severity === "error").map((r) => `${r.ruleId}: ${r.message} at ${r.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it("generates TypeScript with openapi-typescript that a typed client compiles against, and a wrong field does not", async () => {
    writeFileSync(join(work, "api.ts"), astToString(await openapiTS(structuredClone(document) as never)));
    writeFileSync(
      join(work, "client.ts"),
      [
        'import type { components, operations, paths } from "./api.js";',
        'type JobView = paths["/v1/jobs/{job_id}"]["get"]["responses"][200]["content"]["application/json"];',
        'type Accepted = operations["cancelJob"]["responses"][202]["content"]["application/json"];',
        'type Problem = components["schemas"]["Problem"];',
        "export async function getJob(base: string, id: string): Promise<JobView> {",
        "  const response = await fetch(`${base}/v1/jobs/${encodeURIComponent(id)}`);",
        "  if (!response.ok) throw new Error(((await response.json()) as Problem).detail);",
        "  return (await response.json()) as JobView;",
        "}",
        "export async function firstStep(base: string, id: string): Promise<string | undefined> {",
        "  const job = await getJob(base, id);",
        '  const state: "QUEUED" | "RUNNING" | "PAUSED" | "AWAITING_APPROVAL" | "CANCELLING" | "SUCCEEDED" | "FAILED" | "CANCELLED" = job.state;',
        "  return job.steps?.[0]?.step_id ?? state;",
        "}",
        "export const accepted = (a: Accepted): string => a.links.self + a.status;",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(work, "wrong.ts"),
      'import type { components } from "./api.js";\nexport const x = (j: components["schemas"]["JobView"]): string => j.no_such_field;\n',
    );
    const tsc = join(packageRoot, "node_modules", "typescript", "bin", "tsc");
    const compile = (file: string) =>
      execFileSync(
        process.execPath,
        [
          tsc,
          "--noEmit",
          "--strict",
          "--target",
          "ES2022",
          "--module",
          "NodeNext",
          "--moduleResolution",
          "NodeNext",
          "--lib",
          "ES2023,DOM",
          "--skipLibCheck",
          join(work, file),
        ],
        { encoding: "utf8", stdio: "pipe", cwd: work },
      );
    const output = (file: string) => {
      try {
        compile(file);
        return "";
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    };
    expect(output("client.ts")).toBe("");
    expect(output("wrong.ts")).toMatch(/no_such_field/);
  });
});
