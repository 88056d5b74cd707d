import { randomUUID } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, sampleImage, startCliDevhost, type CliDevhost } from "./cli-harness.js";

let dh: CliDevhost;
/** The job the first test runs to completion; later tests read it. */
let finishedJobId: string;

beforeAll(async () => {
  dh = await startCliDevhost({ workers: true });
});
afterAll(() => dh?.stop());

describe("lucius submit --watch", () => {
  it("uploads the sample, follows every step to SUCCEEDED with one plain line per change, and exits 0", async () => {
    const run = await dh.lucius(["submit", sampleImage, "--watch"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^uploaded .*sample-invoice\.png → http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/inputs\/.+\/sample-invoice\.png$/);
    const id = /^job (\S+) submitted$/.exec(lines[1]!)?.[1];
    expect(id).toBeDefined();
    finishedJobId = id!;
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    for (const [step, type] of [
      ["ocr", "OCR"],
      ["embedding", "EMBEDDING"],
      ["sis", "SIS"],
    ]) {
      // Every step's end is reported, and (when the display saw it) its dispatch comes first.
      const done = at(new RegExp(`^\\[ *[\\d.]+m?s\\] ${step} ${type} SUCCEEDED \\(attempt 1\\) in `));
      expect(done, `${step} SUCCEEDED in:\n${run.stdout}`).toBeGreaterThan(1);
      const dispatched = at(new RegExp(`\\] ${step} ${type} DISPATCHED`));
      if (dispatched >= 0) expect(dispatched).toBeLessThan(done);
    }
    const end = at(new RegExp(`\\] job ${id} SUCCEEDED in `));
    expect(end).toBeGreaterThan(at(/\] sis SIS SUCCEEDED/));
    // Plain output for a pipe: no cursor movement or colour.
    expect(run.stdout).not.toContain("\x1b[");
    expect(run.stdout).toMatch(/state\s+SUCCEEDED/);
  }, 90_000);
});

describe("--json", () => {
  it("prints exactly one JSON document for submit, status, jobs, events and outputs", async () => {
    const submitted = json(await dh.lucius(["submit", sampleImage, "--json", "--request-type", "OCR", "--idempotency-key", `k-${randomUUID()}`]));
    expect(submitted).toMatchObject({ job_id: expect.any(String), status: "QUEUED", replayed: false, input_ref: { content_type: "image/png" } });

    const status = await dh.lucius(["status", finishedJobId, "--json"]);
    expect(status.code).toBe(0);
    const job = json(status);
    expect(job).toMatchObject({ job_id: finishedJobId, state: "SUCCEEDED", tenant_id: dh.tenant, request_type: "OCR->EMBEDDING->SIS" });
    expect(job.steps.map((s: { step_id: string; state: string }) => `${s.step_id}:${s.state}`)).toEqual([
      "ocr:SUCCEEDED",
      "embedding:SUCCEEDED",
      "sis:SUCCEEDED",
    ]);

    const listed = json(await dh.lucius(["jobs", "--json", "--all"]));
    expect(listed.tenant_id).toBe(dh.tenant);
    expect(listed.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(expect.arrayContaining([finishedJobId, submitted.job_id]));
    const succeeded = json(await dh.lucius(["jobs", "--json", "--state", "SUCCEEDED"]));
    expect(succeeded.jobs.every((j: { state: string }) => j.state === "SUCCEEDED")).toBe(true);
    expect(succeeded.jobs.map((j: { job_id: string }) => j.job_id)).toContain(finishedJobId);

    const events = json(await dh.lucius(["events", finishedJobId, "--json"]));
    const types = events.events.map((e: { type: string; details?: { to?: string } }) => `${e.type}${e.details?.to ? `:${e.details.to}` : ""}`);
    expect(types[0]).toBe("JOB_CREATED");
    expect(types).toContain("JOB_STATE_CHANGED:RUNNING");
    expect(types.at(-1)).toBe("JOB_STATE_CHANGED:SUCCEEDED");

    const outputs = json(await dh.lucius(["outputs", finishedJobId, "--json"]));
    expect(outputs.outputs.ocr.text).toContain("Globex");
    expect(outputs.outputs.embedding).toMatchObject({ dimension: 256, chunks: expect.any(Number) });
    expect(outputs.outputs.sis.analysis.amounts).toContainEqual(expect.objectContaining({ value: 1234.56, currency: "USD" }));
    expect(outputs.outputs.sis.analysis.dates).toContainEqual(expect.objectContaining({ iso: "2026-03-03" }));
  }, 60_000);

  it("also for an error: the problem on stdout, the one-line message on stderr", async () => {
    const run = await dh.lucius(["status", randomUUID(), "--json"]);
    expect(run.code).toBe(4);
    expect(json(run)).toMatchObject({ error: { status: 404, exit_code: 4, problem: { type: "urn:lucius:problem:not-found" } } });
    expect(run.stderr).toMatch(/^error: 404 Not found: No job /);
  });
});

describe("human output", () => {
  it("status, jobs and events print the job, its steps and its timeline", async () => {
    const status = await dh.lucius(["status", finishedJobId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^ocr\s+OCR\s+SUCCEEDED\s+1\s/m);
    const jobs = await dh.lucius(["jobs"]);
    expect(jobs.stdout).toMatch(new RegExp(`^${finishedJobId}\\s+SUCCEEDED\\s+OCR->EMBEDDING->SIS`, "m"));
    const events = await dh.lucius(["events", finishedJobId]);
    expect(events.stdout).toMatch(/STEP_STATE_CHANGED\s+sis#1\s+ACKED → SUCCEEDED/);
    expect(events.stdout).toMatch(/JOB_STATE_CHANGED\s+RUNNING → SUCCEEDED/);
  });
});

describe("lucius stats", () => {
  it("prints devhost's metrics, among them the finished job by terminal state", async () => {
    const stats = await dh.lucius(["stats", "--json"]);
    expect(stats.code, stats.stderr).toBe(0);
    const terminal = json<{ metrics: Array<{ name: string; points: Array<{ attributes: Record<string, unknown>; value?: number }> }> }>(stats).metrics.find(
      (m) => m.name === "lucius.jobs.terminal",
    );
    expect(terminal?.points.find((p) => p.attributes.state === "SUCCEEDED")?.value).toBeGreaterThanOrEqual(1);
    const table = await dh.lucius(["stats"]);
    expect(table.stdout).toMatch(/^lucius\.jobs\.terminal\s+counter\s+state=SUCCEEDED\s+[1-9]/m);
  });
});

describe("exit codes and messages", () => {
  it("3 and the API's reason for an unknown request type; the upload it made is removed again", async () => {
    const run = await dh.lucius(["submit", sampleImage, "--request-type", "NOT-A-PIPELINE"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: 400 Unknown request type: No protocol serves request_type "NOT-A-PIPELINE"; known: OCR->EMBEDDING->SIS/);
    const uploaded = /→ (\S+)$/m.exec(run.stdout)?.[1];
    expect(uploaded).toBeDefined();
    const blobs = BlobServiceClient.fromConnectionString(dh.host.connectionString);
    const name = decodeURIComponent(new URL(uploaded!).pathname.split("/inputs/")[1]!);
    expect(await blobs.getContainerClient("inputs").getBlobClient(name).exists()).toBe(false);
  });

  it("3 with the failing pointer for a payload the step schema rejects", async () => {
    const run = await dh.lucius(["submit", sampleImage, "--payload", '{"steps":{"sis":{"temperature":5}}}']);
    expect(run.code).toBe(3);
    expect(run.stderr.split("\n")[0]).toBe("error: 422 Validation failed: /payload/steps/sis/temperature must be ≤ 2");
    const verbose = await dh.lucius(["submit", sampleImage, "--payload", '{"steps":{"sis":{"temperature":5}}}', "--verbose"]);
    expect(verbose.stderr).toContain('"type": "urn:lucius:problem:validation-failed"');
  });

  it("4 for an unknown job", async () => {
    const run = await dh.lucius(["status", randomUUID()]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: 404 Not found: No job [0-9a-f-]+\n$/);
    expect(run.stdout).toBe("");
  });

  it("3 and the state conflict when cancelling a finished job", async () => {
    const run = await dh.lucius(["cancel", finishedJobId]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`error: 409 Job state does not allow this: Cannot cancel job ${finishedJobId} in state SUCCEEDED`);
  });

  it("3 without a valid API key (the key is what the CLI sends as x-api-key)", async () => {
    const run = await dh.lucius(["jobs"], { LUCIUS_API_KEY: "not-the-key" });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: 401 /);
  });

  it("2 for usage errors: unknown command, option of another command, missing file, bad --payload", async () => {
    for (const args of [["frobnicate"], ["jobs", "--watch"], ["submit", "no-such-file.png"], ["submit", sampleImage, "--payload", "[1]"], ["status"]]) {
      const run = await dh.lucius(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(/^error: /);
    }
  });

  it("5 when the API cannot be reached", async () => {
    const run = await dh.lucius(["status", "x", "--api", "http://127.0.0.1:9"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("cannot reach the API at http://127.0.0.1:9");
  });
});
