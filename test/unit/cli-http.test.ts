import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDevhostKey } from "../../cli/devhost-key.js";
import { readDevhostApiKey } from "../../devhost/dev-api-key.js";
import { packageRoot } from "../../lib/paths.js";
import { runCli } from "../../cli/main.js";
import { Output } from "../../cli/output.js";
import type { MetricsDocument } from "../../cli/commands/stats.js";

// A stand-in API on a local port: what it answers is set per test, what it received is recorded.
let server: Server;
let url: string;
let answer: (path: string) => { status: number; body: unknown } = () => ({ status: 404, body: {} });
const received: Array<{ method: string; path: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
    const { status, body } = answer(req.url ?? "");
    res.writeHead(status, { "content-type": status < 400 ? "application/json" : "application/problem+json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function cli(args: string[], env: Record<string, string> = {}) {
  const text = { out: "", err: "" };
  const out = new Output(args.includes("--json"), { write: (t: string) => (text.out += t) }, { write: (t: string) => (text.err += t) }, {});
  const code = await runCli([...args, "--api", url], env, out);
  return { code, stdout: text.out, stderr: text.err };
}

const metrics: MetricsDocument = {
  metrics: [
    {
      name: "lucius.jobs.terminal",
      type: "counter",
      points: [
        { attributes: { state: "SUCCEEDED" }, value: 3 },
        { attributes: { state: "FAILED" }, value: 1 },
      ],
    },
    {
      name: "lucius.step.attempt.duration",
      type: "histogram",
      unit: "ms",
      points: [{ attributes: { step_type: "OCR" }, count: 4, sum: 2000.5, min: 400, max: 700.25, p50: 480, p99: 700 }],
    },
    { name: "lucius.jobs.inflight", type: "gauge", points: [] },
  ],
};

describe("lucius stats", () => {
  it("prints one row per point: counter values, histogram summaries, and metrics without data", async () => {
    answer = (path) => (path === "/_devhost/metrics" ? { status: 200, body: metrics } : { status: 404, body: {} });
    const run = await cli(["stats"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^METRIC\s+TYPE\s+ATTRIBUTES\s+VALUE$/);
    expect(lines).toContainEqual(expect.stringMatching(/^lucius\.jobs\.terminal\s+counter\s+state=SUCCEEDED\s+3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^lucius\.jobs\.terminal\s+counter\s+state=FAILED\s+1$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^lucius\.step\.attempt\.duration\s+histogram\s+step_type=OCR\s+count=4 sum=2000\.50 ms min=400 max=700\.25 p50=480 p99=700$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^lucius\.jobs\.inflight\s+gauge\s+\(no data\)$/));
  });

  it("passes the document through with --json", async () => {
    answer = () => ({ status: 200, body: metrics });
    const run = await cli(["stats", "--json"]);
    expect(JSON.parse(run.stdout)).toEqual(metrics);
  });

  it("exits 5 and points to Application Insights when the API is not devhost", async () => {
    answer = () => ({ status: 404, body: { title: "Not Found", status: 404 } });
    const run = await cli(["stats"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toBe("error: metrics are served by devhost only; in Azure use Application Insights\n");
  });
});

describe("the API client", () => {
  it("sends the API key as x-api-key and the token as a bearer, from flags or the environment", async () => {
    answer = () => ({
      status: 200,
      body: {
        job_id: "j1",
        tenant_id: "t",
        request_type: "OCR",
        state: "RUNNING",
        created_at: "2026-03-03T10:00:00Z",
        updated_at: "2026-03-03T10:00:00Z",
        steps: [],
      },
    });
    received.length = 0;
    await cli(["status", "j1", "--api-key", "flag-key"], { LUCIUS_TOKEN: "env-token" });
    expect(received[0]).toMatchObject({ method: "GET", path: "/v1/jobs/j1", headers: { "x-api-key": "flag-key", authorization: "Bearer env-token" } });
    received.length = 0;
    await cli(["status", "j1"], {});
    // Nothing given, API on loopback: the key npm start generated, if this checkout has one.
    expect(received[0]!.headers["x-api-key"]).toBe(readDevhostApiKey(packageRoot));
    expect(received[0]!.headers.authorization).toBeUndefined();
  });

  it("falls back to devhost's generated key only for a loopback API with no key or token given", async () => {
    const root = mkdtempSync(join(tmpdir(), "lucius-cli-"));
    try {
      mkdirSync(join(root, ".devhost"));
      writeFileSync(join(root, ".devhost", "api-key"), "generated-key\n");
      expect(await withDevhostKey({ api: "http://localhost:7071" }, root)).toEqual({ api: "http://localhost:7071", apiKey: "generated-key" });
      expect(await withDevhostKey({ api: "http://127.0.0.1:7071" }, root)).toMatchObject({ apiKey: "generated-key" });
      expect(await withDevhostKey({ api: "https://lucius.example.com" }, root)).toEqual({ api: "https://lucius.example.com" });
      expect(await withDevhostKey({ api: "http://localhost:7071", apiKey: "mine" }, root)).toEqual({ api: "http://localhost:7071", apiKey: "mine" });
      expect(await withDevhostKey({ api: "http://localhost:7071", token: "t" }, root)).toEqual({ api: "http://localhost:7071", token: "t" });
      expect(await withDevhostKey({ api: "http://localhost:7071" }, join(root, "elsewhere"))).toEqual({ api: "http://localhost:7071" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("turns a 5xx into exit 5 with its detail", async () => {
    answer = () => ({ status: 503, body: { title: "Dependency unavailable", status: 503, detail: "Table storage did not answer" } });
    const run = await cli(["jobs"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toBe("error: 503 Dependency unavailable: Table storage did not answer\n");
  });
});

describe("lucius dlq back-end choice", () => {
  it("refuses (exit 2) when the API is not devhost and no Service Bus namespace is named", async () => {
    answer = () => ({ status: 404, body: {} });
    const run = await cli(["dlq", "list"], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not devhost and no Service Bus is named: pass --namespace");
  });
});
