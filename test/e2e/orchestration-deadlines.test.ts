import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { ProblemType } from "../../lib/http/problem.js";
import { testRegistryFile } from "../support/test-registry.js";
import { MetricNames } from "../../lib/config/names.js";
import type { MetricsSnapshot } from "../../devhost/telemetry/index.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "../support/tenant-refs.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius({ env: { LUCIUS_PROTOCOL_REGISTRY: testRegistryFile() } });
}, 60_000);
afterAll(() => lucius?.stop());

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepState = (stepId: string, state: string) => (job: Record<string, any>) =>
  job.steps.some((s: { step_id: string; state: string }) => s.step_id === stepId && s.state === state);
const cancels = (jobId: string) =>
  lucius
    .received(jobId)
    .filter((d) => d.type === "CANCEL")
    .map((d) => [d.step_id, d.attempt_no]);

describe.concurrent("a job's deadline", () => {
  it("ends a job awaiting review FAILED with DEADLINE_EXCEEDED once it passes; the review step is CANCELLED", async () => {
    const deadline = inSeconds(3);
    const { job_id } = await lucius.submit("OCR->REVIEW->EMBEDDING->SIS", {}, { payload: { steps: { review: { when: "always" } } }, deadline });
    const waiting = await lucius.waitFor(job_id, (j) => j.state === "AWAITING_APPROVAL", "AWAITING_APPROVAL");
    expect(waiting.deadline).toBe(deadline);
    const job = await lucius.waitFor(job_id, terminal, "terminal", 15_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "DEADLINE_EXCEEDED", step_id: "review", deadline });
    expect(job.steps.map((s: { state: string }) => s.state)).toEqual(["SUCCEEDED", "CANCELLED", "PENDING", "PENDING"]);
    expect(Date.parse(job.completed_at)).toBeGreaterThanOrEqual(Date.parse(deadline));
    expect((await lucius.decide(job_id, "review", "approve")).status).toBe(409);
  });

  it("cancels the step a worker is in the middle of: the worker gets CANCEL, the job ends FAILED with DEADLINE_EXCEEDED", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] }, { deadline: inSeconds(3) });
    await lucius.waitFor(job_id, stepState("ocr", "ACKED"), "ocr ACKED");
    const job = await lucius.waitFor(job_id, terminal, "terminal", 15_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "DEADLINE_EXCEEDED", step_id: "ocr" });
    expect(job.steps.map((s: { state: string }) => s.state)).toEqual(["CANCELLED", "PENDING"]);
    expect(cancels(job_id)).toEqual([["ocr", 1]]);
  });

  it("reaches a paused job too: the reconciler resumes its orchestration, the worker gets CANCEL, the job ends FAILED", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] }, { deadline: inSeconds(2) });
    await lucius.waitFor(job_id, stepState("ocr", "ACKED"), "ocr ACKED");
    expect((await lucius.control(job_id, "pause")).status).toBe(202);
    await lucius.waitFor(job_id, (j) => j.state === "PAUSED" && Date.now() > Date.parse(j.deadline), "PAUSED past its deadline");
    const { repairs } = await lucius.reconcile();
    expect(repairs.filter((r) => r.job_id === job_id).map((r) => r.kind)).toEqual(["deadline_passed"]);
    const job = await lucius.waitFor(job_id, terminal, "terminal", 15_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "DEADLINE_EXCEEDED" });
    expect(cancels(job_id)).toEqual([["ocr", 1]]);
  });

  it("ends a job in its backoff: the waiting step is CANCELLED, the job FAILED, and no second attempt is dispatched", async () => {
    const { job_id } = await lucius.submit("OCR(backoff 30s)", { ocr: [{ do: "fail-retryable" }] }, { deadline: inSeconds(2) });
    await lucius.waitFor(job_id, stepState("ocr", "RETRY_WAIT"), "ocr RETRY_WAIT");
    const job = await lucius.waitFor(job_id, terminal, "terminal", 15_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "DEADLINE_EXCEEDED", step_id: "ocr" });
    expect(job.steps.map((s: { state: string; attempt_no: number }) => [s.state, s.attempt_no])).toEqual([["CANCELLED", 1]]);
    expect(lucius.received(job_id).filter((d) => d.type === "DIRECTIVE")).toHaveLength(1);
  });

  it("comes from the protocol's sla_seconds when the command names none", async () => {
    const { job_id } = await lucius.submit("OCR(sla 2s)", { ocr: [{ do: "hold", interval_ms: 200 }] });
    const job = await lucius.waitFor(job_id, terminal, "terminal", 15_000);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "DEADLINE_EXCEEDED" });
    expect(Date.parse(job.deadline) - Date.parse(job.created_at)).toBeLessThanOrEqual(2000);
    expect(cancels(job_id)).toEqual([["ocr", 1]]);
  });

  it("does not touch a job that ends in time", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING", {}, { deadline: inSeconds(600) });
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(cancels(job_id)).toEqual([]);
  });

  it("refuses a deadline that has passed, or is not an RFC 3339 time, with 422 at intake: no job is created", async () => {
    const tenant_id = `deadline-${randomBytes(4).toString("hex")}`;
    const command = (deadline: string) => ({
      tenant_id,
      request_type: "OCR",
      input_ref: tenantInput(blobAccountUrl(lucius.host.connectionString), tenant_id, "doc.png"),
      output_ref: tenantOutput(blobAccountUrl(lucius.host.connectionString), tenant_id, "doc/"),
      payload: {},
      schema_version: "v1",
      idempotency_key: randomBytes(8).toString("hex"),
      deadline,
    });
    for (const deadline of [new Date(Date.now() - 1000).toISOString(), "tomorrow"]) {
      const answer = await lucius.post(command(deadline));
      expect(answer.status, deadline).toBe(422);
      expect(answer.body.type).toBe(ProblemType.validation);
      expect(answer.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/deadline"]);
    }
    expect((await lucius.get(`/v1/jobs?tenant_id=${tenant_id}`)).body.jobs).toEqual([]);
  });
});

describe("deadline telemetry", () => {
  it("counts the missed deadline and the job's duration under its protocol, once", async () => {
    const response = await fetch(`${lucius.url}/_devhost/metrics`, { headers: { "x-functions-key": lucius.host.key } });
    const snapshot = (await response.json()) as MetricsSnapshot;
    const points = (name: string) => snapshot.metrics.find((m) => m.name === name)?.points.filter((p) => p.attributes.protocol_id === "ocr-sla.test") ?? [];
    expect(points(MetricNames.jobsDeadlineMissed).map((p) => ("value" in p ? p.value : undefined))).toEqual([1]);
    const duration = points(MetricNames.jobDuration);
    expect(duration.map((p) => [p.attributes.outcome, "count" in p ? p.count : undefined])).toEqual([["FAILED", 1]]);
    // Five jobs here missed their deadline: in a review, mid-step, paused, in a backoff, by SLA.
    const missed = snapshot.metrics.find((m) => m.name === MetricNames.jobsDeadlineMissed)?.points.reduce((sum, p) => sum + ("value" in p ? p.value : 0), 0);
    expect(missed).toBe(5);
  });
});
