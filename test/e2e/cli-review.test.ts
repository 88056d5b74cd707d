import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, sampleImage, startCliDevhost, type CliDevhost } from "./cli-harness.js";

let dh: CliDevhost;
beforeAll(async () => {
  dh = await startCliDevhost({ workers: true });
});
afterAll(() => dh?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const reviewed = ["--request-type", "OCR->REVIEW->EMBEDDING->SIS", "--payload", '{"steps":{"review":{"when":"always"}}}'];

/** Polls `lucius review --json` until `jobId` is in the queue. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function queued(jobId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 300; i++) {
    const queue = json(await dh.lucius(["review", "--json"]));
    const job = queue.jobs.find((j: { job_id: string }) => j.job_id === jobId);
    if (job) return job;
    await sleep(200);
  }
  throw new Error(`job ${jobId} never reached the review queue`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function finished(jobId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 600; i++) {
    const job = json(await dh.lucius(["status", jobId, "--json"]));
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state)) return job;
    await sleep(200);
  }
  throw new Error(`job ${jobId} never finished`);
}

describe("lucius review, approve and reject", () => {
  it("lists a job awaiting review, approves it with a comment (the step found by itself), and the job SUCCEEDS", async () => {
    const submitted = json(await dh.lucius(["submit", sampleImage, ...reviewed, "--deadline", "10m", "--json"]));
    const waiting = await queued(submitted.job_id);
    expect(waiting.current_step_id).toBe("review");
    expect(Date.parse(waiting.deadline) - Date.now()).toBeGreaterThan(5 * 60_000);
    const status = await dh.lucius(["status", submitted.job_id]);
    expect(status.stdout).toMatch(/^waiting {3}for a reviewer to approve or reject step review \(until \S+\)$/m);
    expect(status.stdout).toMatch(/^deadline {2}\S+$/m);
    const plain = await dh.lucius(["review"]);
    expect(plain.stdout).toMatch(new RegExp(`${submitted.job_id}\\s+review\\s+OCR->REVIEW->EMBEDDING->SIS`));

    const approve = await dh.lucius(["approve", submitted.job_id, "--comment", "totals checked"]);
    expect(approve.stderr).toBe("");
    expect(approve.stdout).toBe(`job ${submitted.job_id}: review approved (now RUNNING)\n`);
    expect((await finished(submitted.job_id)).state).toBe("SUCCEEDED");
    const events = json(await dh.lucius(["events", submitted.job_id, "--json"]));
    expect(events.events).toContainEqual(
      expect.objectContaining({
        step_id: "review",
        details: expect.objectContaining({ decision: "approve", by: "apiKey:cli-test", comment: "totals checked" }),
      }),
    );

    const again = await dh.lucius(["approve", submitted.job_id, "review"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^error: 409 /);
  }, 120_000);

  it("rejects with the step named: the job ends FAILED with REJECTED", async () => {
    const submitted = json(await dh.lucius(["submit", sampleImage, ...reviewed, "--json"]));
    await queued(submitted.job_id);
    const reject = await dh.lucius(["reject", submitted.job_id, "review", "--comment", "wrong supplier"]);
    expect(reject.stdout).toBe(`job ${submitted.job_id}: review rejected (the job ends FAILED with REJECTED)\n`);
    const job = await finished(submitted.job_id);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "REJECTED", comment: "wrong supplier" });
  }, 120_000);

  it("the sample invoice without asking: the reference OCR is confident, the review step is SKIPPED and the job SUCCEEDS untouched", async () => {
    const submitted = json(await dh.lucius(["submit", sampleImage, "--request-type", "OCR->REVIEW->EMBEDDING->SIS", "--json"]));
    const job = await finished(submitted.job_id);
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { step_id: string; state: string }) => `${s.step_id} ${s.state}`)).toEqual([
      "ocr SUCCEEDED",
      "review SKIPPED",
      "embedding SUCCEEDED",
      "sis SUCCEEDED",
    ]);
    const outputs = await dh.lucius(["outputs", submitted.job_id, "--json"]);
    const confidence = JSON.stringify(json(outputs)).match(/"mean_confidence":([0-9.]+)/);
    expect(Number(confidence?.[1])).toBeGreaterThanOrEqual(0.8);
    const events = json(await dh.lucius(["events", submitted.job_id, "--json"]));
    expect(events.events.filter((e: { details?: { decision?: string } }) => e.details?.decision)).toEqual([]);
  }, 120_000);

  it("refuses a --deadline that is neither a time nor a duration before uploading anything", async () => {
    const run = await dh.lucius(["submit", sampleImage, "--deadline", "soon"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr.split("\n")[0]).toBe('error: --deadline must be an RFC 3339 time (2026-01-31T17:00:00Z) or a duration (90s, 10m, 2h, 1d), got "soon"');
    expect(run.stdout).toBe("");
  });
});
