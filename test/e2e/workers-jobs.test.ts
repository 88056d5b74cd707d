import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startCliDevhost, type CliDevhost } from "./cli-harness.js";
import { packageRoot } from "../../lib/paths.js";

/** Jobs through the orchestrator and the real reference workers, driven by the CLI. */
let devhost: CliDevhost;
beforeAll(async () => {
  devhost = await startCliDevhost({ workers: true });
}, 90_000);
afterAll(() => devhost?.stop());

const failedJob = async (args: string[]) => {
  const run = await devhost.lucius(["submit", ...args, "--request-type", "OCR->EMBEDDING->SIS", "--watch", "--json"]);
  expect(run.code, run.stderr).toBe(1);
  const job = json(run);
  return (await devhost.lucius(["status", String(job.job_id), "--json"])).stdout;
};

describe("documents the workers cannot use fail their job clearly", () => {
  it("a corrupt image: OCR answers NON_RETRYABLE and the job FAILS with UNREADABLE_DOCUMENT, nothing after OCR runs", async () => {
    const status = JSON.parse(await failedJob([join(packageRoot, "test/fixtures/documents/corrupt.png")]));
    expect(status.state).toBe("FAILED");
    expect(status.error).toMatchObject({ code: "UNREADABLE_DOCUMENT", step_id: "ocr" });
    expect(
      status.steps.map((s: { step_id: string; state: string; attempt_no: number; failure_class?: string }) => [
        s.step_id,
        s.state,
        s.attempt_no,
        s.failure_class,
      ]),
    ).toEqual([
      ["ocr", "FAILED", 1, "NON_RETRYABLE"],
      ["embedding", "PENDING", 0, undefined],
      ["sis", "PENDING", 0, undefined],
    ]);
  }, 60_000);

  it("an input outside the allowlist: intake refuses it (422, /input_ref) and no job is made", async () => {
    const jobCount = async () => json<{ jobs: unknown[] }>(await devhost.lucius(["jobs", "--all", "--json"])).jobs.length;
    const before = await jobCount();
    const run = await devhost.lucius(["submit", "https://documents.example.com/invoice.png", "--request-type", "OCR->EMBEDDING->SIS"]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr.split("\n")[0]).toMatch(
      /^error: 422 Validation failed: \/input_ref INPUT_NOT_ALLOWED: Input https:\/\/documents\.example\.com\/invoice\.png is neither in tenant \S+ places nor on its input allowlist/,
    );
    expect(await jobCount()).toBe(before);
  }, 60_000);
});
