import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { installCoreShim, type CapturedApp } from "../../devhost/loader.js";
import { buildOpenApi } from "../../lib/api/openapi.js";
import { loadContracts } from "../../lib/contracts/index.js";
import { packageRoot } from "../../lib/paths.js";
import { routeCoverageProblems, type RegisteredRoute } from "../support/openapi-routes.js";

let captured: CapturedApp;
let registered: RegisteredRoute[];
const paths = buildOpenApi(loadContracts(), { version: "0.0.0", serverUrl: "http://localhost:7071" }).paths as Record<string, Record<string, unknown>>;

beforeAll(async () => {
  // Registers every function of the app the way the Functions host sees them (devhost's shim
  // must be in place before @azure/functions first loads).
  captured = installCoreShim();
  // Some function files read their settings when they register; nothing is connected here.
  process.env.AzureWebJobsStorage ??= "UseDevelopmentStorage=true";
  const dir = join(packageRoot, "functions");
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith(".ts"))
    .sort())
    await import(pathToFileURL(join(dir, file)).href);
  registered = [...captured.functions.values()]
    .filter((fn) => fn.trigger.binding.type === "httpTrigger")
    .map((fn) => ({ route: String(fn.trigger.binding.route ?? fn.name), methods: (fn.trigger.binding.methods as string[] | undefined) ?? ["GET", "POST"] }));
});

describe("every registered HTTP route is in the OpenAPI document", () => {
  it("the app's routes, each method, under /v1 and the probes", () => {
    expect(registered.length).toBeGreaterThanOrEqual(13);
    expect(registered.map((r) => r.route)).toEqual(
      expect.arrayContaining(["v1/jobs/{job_id}/cancel", "v1/jobs/{job_id}/redrive", "v1/openapi.json", "health"]),
    );
    expect(routeCoverageProblems(registered, paths)).toEqual([]);
  });

  it("fails for a route added without its operation, and for a method added to a route", () => {
    const added = [...registered, { route: "v1/jobs/{job_id}/attachments", methods: ["GET"] }, { route: "v1/jobs/{job_id}", methods: ["DELETE"] }];
    expect(routeCoverageProblems(added, paths)).toEqual([
      "GET /v1/jobs/{job_id}/attachments is served but not in the OpenAPI document",
      "DELETE /v1/jobs/{job_id} is served but not in the OpenAPI document",
    ]);
  });

  it("leaves the web console's pages out on purpose", () => {
    expect(routeCoverageProblems([{ route: "console/{*path}", methods: ["GET"] }], paths)).toEqual([]);
  });

  it("every documented operation has an operationId, unique", () => {
    const ids = Object.values(paths).flatMap((operations) => Object.values(operations).map((o) => (o as { operationId?: string }).operationId));
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
