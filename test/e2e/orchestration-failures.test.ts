import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, testStepDefaults, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepsOf = (job: Record<string, any>) => Object.fromEntries(job.steps.map((s: { step_id: string }) => [s.step_id, s]));
const directivesFor = (jobId: string, stepId: string) => lucius.received(jobId).filter((d) => d.type === "DIRECTIVE" && d.step_id === stepId);

describe.concurrent("workers that fail, fall silent or run long", () => {
  it("retries a retryable EMBEDDING failure and succeeds on the second attempt", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS", { embedding: [{ do: "fail-retryable" }, { do: "succeed" }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(stepsOf(job).embedding).toMatchObject({ state: "SUCCEEDED", attempt_no: 2 });
    expect(directivesFor(job_id, "embedding").map((d) => d.attempt_no)).toEqual([1, 2]);
    const leases = directivesFor(job_id, "embedding").map((d) => d.lease_id);
    expect(new Set(leases).size).toBe(2);
  });

  it("fails the job on a non-retryable EMBEDDING failure with the worker's error, and never dispatches SIS", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS", { embedding: [{ do: "fail-non-retryable" }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "UNREADABLE_DOCUMENT", message: "embedding failed (UNREADABLE_DOCUMENT)", step_id: "embedding" });
    expect(stepsOf(job).embedding).toMatchObject({ state: "FAILED", attempt_no: 1, failure_class: "NON_RETRYABLE" });
    expect(stepsOf(job).sis.state).toBe("PENDING");
    expect(directivesFor(job_id, "sis")).toHaveLength(0);
  });

  it("retries a directive nobody ACKs after the ack timeout and fails after max attempts", async () => {
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "no-ack" }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "ACK_TIMEOUT", reason: "ATTEMPTS_EXHAUSTED", attempts: testStepDefaults.max_attempts });
    expect(directivesFor(job_id, "ocr").map((d) => d.attempt_no)).toEqual([1, 2, 3]);
    const cancels = lucius.received(job_id).filter((d) => d.type === "CANCEL");
    expect(cancels.map((d) => d.attempt_no)).toEqual([1, 2, 3]);
  });

  it("retries after the lease expires on an ACKed attempt that falls silent", async () => {
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "ack-then-silence" }, { do: "succeed" }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(stepsOf(job).ocr.attempt_no).toBe(2);
    const retryWait = (await lucius.events(job_id)).find((e) => e.type === "STEP_STATE_CHANGED" && e.details?.to === "RETRY_WAIT");
    expect(JSON.stringify(retryWait)).toContain("LEASE_EXPIRED");
  });

  it("keeps a long step alive past its lease while it heartbeats", async () => {
    const heartbeats = 6;
    const intervalMs = 1000; // 6 s of work against a 4 s lease
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "heartbeat-past-lease", heartbeats, interval_ms: intervalMs }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(stepsOf(job).ocr.attempt_no).toBe(1);
    // The step carries its lease length, so a heartbeat extends it without reading the job.
    expect(stepsOf(job).ocr.lease_ms).toBe(testStepDefaults.lease_seconds * 1000);
    const started = Date.parse(stepsOf(job).ocr.dispatched_at);
    expect(Date.parse(stepsOf(job).ocr.completed_at) - started).toBeGreaterThan(testStepDefaults.lease_seconds * 1000);
  });
});

// Apart from the concurrent block above: its jobs run one after another.
describe("a RESULT that names its own output", () => {
  it("fails the step NON_RETRYABLE with OUTPUT_OUTSIDE_TARGET when a RESULT names an output where the step was not told to write", async () => {
    // submit() gives every job a tenant of its own: the victim's output belongs to another tenant.
    const { job_id } = await lucius.submit("OCR->EMBEDDING", {});
    const victim = (await lucius.waitFor(job_id, terminal, "terminal")).output_ref as string;
    // Another tenant's finished output, and a spelling that climbs out of the step's own folder.
    const cases = [victim, `${victim.replace(/[^/]+$/, "")}..%2F..%2Felsewhere.json`];
    for (const output_ref of cases) {
      const { job_id: attacker } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "claim-output", output_ref }] });
      const job = await lucius.waitFor(attacker, terminal, "terminal");
      expect(job.state, output_ref).toBe("FAILED");
      expect(job.error).toMatchObject({ code: "OUTPUT_OUTSIDE_TARGET", step_id: "ocr" });
      expect(stepsOf(job).ocr).toMatchObject({ state: "FAILED", attempt_no: 1, failure_class: "NON_RETRYABLE" });
      expect(stepsOf(job).ocr.output_ref).toBeUndefined();
      expect(directivesFor(attacker, "embedding")).toHaveLength(0);
    }
  });
});
