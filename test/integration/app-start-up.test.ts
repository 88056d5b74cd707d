// Start-up of the compiled apps as the Node worker runs it (test/support/worker-start-up.mjs):
// package.json `main` expanded by globby 11, the files loaded in that order, an entry-point error
// blocking start-up; and with the settings of each local.settings.sample.json copied as is.
import type { ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import globby from "globby";
import { afterAll, describe, expect, it } from "vitest";
import { mainGlobFiles, packageMainFiles } from "../../devhost/entry-points.js";
import { apiKeyHash } from "../../lib/auth/api-keys.js";
import { spawnDevhost } from "../support/devhost-child.js";
import { azuriteConnectionString } from "../support/storage.js";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const probe = join(repo, "test/support/worker-start-up.mjs");
/** The key whose SHA-256 the orchestrator's sample settings hold (docs/deploy.md gives both). */
const sampleKey = "lucius-sample-key-not-for-production";

interface StartUp {
  files: string[];
  loaded: string[];
  functions: Array<{ name: string; file: string }>;
  blockingError?: string;
}

const sampleValues = (dir: string) => (JSON.parse(readFileSync(join(dir, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> }).Values;

/** Core Tools puts local.settings.json `Values` in the worker's environment; nothing else is set. */
async function startUp(appDir: string, values: Record<string, string>): Promise<StartUp> {
  // The workers' dist/ mirrors the repository's compiled layout, so their `main` is read against it.
  const { stdout } = await run(process.execPath, [probe, appDir, repo], { env: { PATH: process.env.PATH, ...values } });
  return JSON.parse(stdout) as StartUp;
}

const apps = [
  {
    app: "orchestrator",
    dir: repo,
    entry: "dist/functions/index.js",
    functions: [
      "approveStep",
      "beginAttempt",
      "cancelJob",
      "cancelReview",
      "console",
      "decideReview",
      "finishJob",
      "getJob",
      "getJobEvents",
      "getJobOutputs",
      "getJobSteps",
      "getOpenApi",
      "getProtocols",
      "health",
      "jobOrchestrator",
      "listJobs",
      "openReview",
      "pauseJob",
      "publishMessage",
      "readLease",
      "ready",
      "receiveReply",
      "reconcileDrift",
      "redriveJob",
      "rejectStep",
      "resumeJob",
      "settleStep",
      "startJob",
      "submitCommand",
    ],
  },
  { app: "workers", dir: join(repo, "workers"), entry: "dist/workers/functions/index.js", functions: ["embeddingWorker", "ocrWorker", "sisWorker"] },
];

describe.each(apps)("the $app app's start-up", ({ dir, entry, functions }) => {
  const main = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { main: string }).main;

  it("names its entry file first in main, and devhost expands main in the worker's order", async () => {
    const workerOrder = await globby(main, { cwd: repo });
    expect(workerOrder[0]).toBe(entry);
    expect(mainGlobFiles(repo, main)).toEqual(workerOrder.map((file) => join(repo, file)));
  });

  it("loads every entry file, the entry file first, with local.settings.sample.json copied as is", async () => {
    const result = await startUp(dir, sampleValues(dir));
    expect(result.blockingError).toBeUndefined();
    expect(result.loaded).toEqual(result.files);
    expect(result.loaded[0]).toBe(entry);
    expect(result.functions.map((f) => f.name).sort()).toEqual(functions);
  });
});

describe("an entry-point error", () => {
  it("blocks start-up at the file that throws, with the worker's message (the old sample's key placeholder)", async () => {
    const values = { ...sampleValues(repo), LUCIUS_API_KEYS: '[{"name":"local","sha256":"<sha256 hex of your key>","tenants":["*"]}]' };
    const result = await startUp(repo, values);
    expect(result.blockingError).toMatch(
      /^Worker was unable to load entry point "dist\/functions\/[a-z-]+\.js": LUCIUS_API_KEYS\[0\]\.sha256 must be 64 hex digits/,
    );
    expect(result.loaded.length).toBeLessThan(result.files.length);
  });
});

describe("the orchestrator's local.settings.sample.json under devhost", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("holds the SHA-256 of the documented sample key, marked as not for production", () => {
    const [entry] = JSON.parse(sampleValues(repo).LUCIUS_API_KEYS!) as Array<{ name: string; sha256: string }>;
    expect(entry).toMatchObject({ name: "sample-not-for-production", sha256: apiKeyHash(sampleKey) });
  });

  it("copied as local.settings.json, gives an app that answers /health and takes the sample key", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "lucius-sample-"));
    copyFileSync(join(repo, "local.settings.sample.json"), join(cwd, "local.settings.json"));
    const env = { ...process.env };
    delete env.LUCIUS_API_KEYS;
    const args = ["--port", "0", "--azurite", azuriteConnectionString(), "--task-hub", `sample${Date.now()}`, "--host-json", join(repo, "host.json")];
    args.push("--app", packageMainFiles(repo).join(","), "--quiet");
    const { url, output, process: child } = await spawnDevhost(args, { cwd, env, track: (c) => children.push(c) });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/v1/jobs?tenant_id=t`, { headers: { "x-api-key": sampleKey } })).status).toBe(200);
    expect((await fetch(`${url}/v1/jobs?tenant_id=t`, { headers: { "x-api-key": "another-key" } })).status).toBe(401);
    // The sample's keys are used: devhost makes no key of its own.
    expect(output()).not.toMatch(/API key for every tenant/);
    child.kill("SIGTERM");
  }, 120_000);
});
