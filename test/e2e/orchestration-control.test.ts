import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { ProblemType } from "../../lib/http/problem.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepState = (stepId: string, state: string) => (job: Record<string, any>) =>
  job.steps.some((s: { step_id: string; state: string }) => s.step_id === stepId && s.state === state);
const directivesFor = (jobId: string, stepId: string) => lucius.received(jobId).filter((d) => d.type === "DIRECTIVE" && d.step_id === stepId);

describe.concurrent("controlling a running job", () => {
  it("cancels during EMBEDDING: the worker gets CANCEL, SIS is never dispatched, the job ends CANCELLED", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS", { embedding: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(job_id, stepState("embedding", "ACKED"), "embedding ACKED");
    const answer = await lucius.control(job_id, "cancel");
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe("CANCELLING");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("CANCELLED");
    expect(job.steps.map((s: { state: string }) => s.state)).toEqual(["SUCCEEDED", "CANCELLED", "PENDING"]);
    expect(
      lucius
        .received(job_id)
        .filter((d) => d.type === "CANCEL")
        .map((d) => [d.step_id, d.attempt_no]),
    ).toEqual([["embedding", 1]]);
    expect(directivesFor(job_id, "sis")).toHaveLength(0);
  });

  it("holds a paused job until it is resumed", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(job_id, stepState("ocr", "ACKED"), "ocr ACKED");
    expect((await lucius.control(job_id, "pause")).status).toBe(202);
    lucius.release(job_id, "ocr", 1);
    await sleep(1500);
    expect((await lucius.job(job_id)).state).toBe("PAUSED");
    expect(directivesFor(job_id, "embedding")).toHaveLength(0);

    expect((await lucius.control(job_id, "resume")).status).toBe(202);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(directivesFor(job_id, "embedding")).toHaveLength(1);
  });

  it("redrives a FAILED job from its failed step with a fresh retry budget", async () => {
    const { job_id, tenant_id } = await lucius.submit("OCR->EMBEDDING->SIS", { embedding: [{ do: "fail-non-retryable" }] });
    const failed = await lucius.waitFor(job_id, terminal, "terminal");
    expect(failed.state).toBe("FAILED");
    const ocrOutput = failed.steps[0].output_ref;

    lucius.worker.scripts.set(tenant_id, {});
    const answer = await lucius.control(job_id, "redrive");
    expect(answer.status).toBe(202);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(job.redrive_count).toBe(1);
    // Attempt numbers go on across a redrive, so message ids never repeat; the budget restarts.
    expect(job.steps.map((s: { step_id: string; attempt_no: number; attempt_base?: number }) => [s.step_id, s.attempt_no, s.attempt_base ?? 0])).toEqual([
      ["ocr", 1, 0],
      ["embedding", 2, 1],
      ["sis", 1, 0],
    ]);
    expect(directivesFor(job_id, "ocr")).toHaveLength(1);
    expect(directivesFor(job_id, "embedding").at(-1)!.input_ref).toEqual(ocrOutput);
    const types = (await lucius.events(job_id)).map((e) => [e.type, e.details?.to ?? null]);
    expect(types).toContainEqual(["JOB_STATE_CHANGED", "FAILED"]);
    expect(types.map(([type]) => type)).toContain("JOB_REDRIVEN");
    expect(types.at(-1)).toEqual(["JOB_STATE_CHANGED", "SUCCEEDED"]);
  });

  it("answers 409 problem+json when the job's state does not allow the action, 404 for an unknown job", async () => {
    const { job_id } = await lucius.submit("OCR");
    await lucius.waitFor(job_id, terminal, "terminal");
    for (const action of ["cancel", "pause", "resume", "redrive"] as const) {
      const answer = await lucius.control(job_id, action);
      expect(answer.status, action).toBe(409);
      expect(answer.body).toMatchObject({ type: ProblemType.conflict, status: 409, state: "SUCCEEDED" });
    }
    const unknown = await lucius.control("no-such-job", "cancel");
    expect(unknown.status).toBe(404);
    expect((await lucius.job(job_id)).state).toBe("SUCCEEDED");
  });
});
