import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { ProblemType } from "../../lib/http/problem.js";
import { testRegistryFile } from "../support/test-registry.js";
import { MetricNames } from "../../lib/config/names.js";
import type { MetricsSnapshot } from "../../devhost/telemetry/index.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius({ env: { LUCIUS_PROTOCOL_REGISTRY: testRegistryFile() } });
}, 60_000);
afterAll(() => lucius?.stop());

const reviewed = "OCR->REVIEW->EMBEDDING->SIS";
const always = { steps: { review: { when: "always" } } };
const confident = { ocr: [{ do: "succeed" as const, metrics: { mean_confidence: 0.95 } }] };
const unsure = { ocr: [{ do: "succeed" as const, metrics: { mean_confidence: 0.5 } }] };
const awaiting = (job: Record<string, unknown>) => job.state === "AWAITING_APPROVAL";
const states = (job: Record<string, any>) => job.steps.map((s: { state: string }) => s.state); // eslint-disable-line @typescript-eslint/no-explicit-any
const reviewEvents = async (jobId: string) =>
  (await lucius.events(jobId)).filter((e) => e.type === "STEP_STATE_CHANGED" && e.step_id === "review").map((e) => e.details);

describe.concurrent("a review step", () => {
  it("always-review: the job waits in the review queue, an approval with a comment carries it on to SUCCEEDED, a second approval is 409", async () => {
    const { job_id, tenant_id } = await lucius.submit(reviewed, confident, { payload: always });
    const waiting = await lucius.waitFor(job_id, awaiting, "AWAITING_APPROVAL");
    expect(states(waiting)).toEqual(["SUCCEEDED", "AWAITING_APPROVAL", "PENDING", "PENDING"]);
    const queue = await lucius.get(`/v1/jobs?tenant_id=${tenant_id}&state=AWAITING_APPROVAL`);
    expect(queue.status).toBe(200);
    expect(queue.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([job_id]);
    expect(lucius.received(job_id).filter((d) => d.step_id === "review")).toEqual([]);

    const approved = await lucius.decide(job_id, "review", "approve", { comment: "totals checked" });
    expect(approved.status).toBe(202);
    expect(approved.body.status).toBe("RUNNING");
    const again = await lucius.decide(job_id, "review", "approve");
    expect(again.status).toBe(409);
    expect(again.body.type).toBe(ProblemType.conflict);

    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(states(job)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    // The next step reads what OCR wrote: the review passes it on.
    const embedding = lucius.received(job_id).find((d) => d.type === "DIRECTIVE" && d.step_id === "embedding")!;
    expect(embedding.input_ref).toBe(job.steps[0].output_ref);
    expect(await reviewEvents(job_id)).toEqual([
      expect.objectContaining({ to: "AWAITING_APPROVAL", reason: "requested" }),
      expect.objectContaining({ to: "SUCCEEDED", decision: "approve", by: "apiKey:e2e-reviewer", comment: "totals checked" }),
    ]);
    expect((await lucius.get(`/v1/jobs?tenant_id=${tenant_id}&state=AWAITING_APPROVAL`)).body.jobs).toEqual([]);
  });

  it("unsure OCR is reviewed; a rejection ends the job FAILED with REJECTED and the comment, and nothing after it runs", async () => {
    const { job_id } = await lucius.submit(reviewed, unsure);
    await lucius.waitFor(job_id, awaiting, "AWAITING_APPROVAL");
    const rejected = await lucius.decide(job_id, "review", "reject", { comment: "totals unreadable" });
    expect(rejected.status).toBe(202);
    expect(rejected.body.status).toBe("AWAITING_APPROVAL");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "REJECTED", step_id: "review", comment: "totals unreadable", by: "apiKey:e2e-reviewer" });
    expect(states(job)).toEqual(["SUCCEEDED", "FAILED", "PENDING", "PENDING"]);
    expect(lucius.received(job_id).filter((d) => d.step_id === "embedding")).toEqual([]);
    expect(await reviewEvents(job_id)).toEqual([
      expect.objectContaining({ to: "AWAITING_APPROVAL", reason: "metric", metric: "mean_confidence", value: 0.5 }),
      expect.objectContaining({ to: "FAILED", decision: "reject", by: "apiKey:e2e-reviewer", comment: "totals unreadable" }),
    ]);
    expect((await lucius.decide(job_id, "review", "approve")).status).toBe(409);
  });

  it("confident OCR skips the review: SKIPPED, and the job SUCCEEDS without stopping", async () => {
    const { job_id } = await lucius.submit(reviewed, confident);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(states(job)).toEqual(["SUCCEEDED", "SKIPPED", "SUCCEEDED", "SUCCEEDED"]);
    expect(await reviewEvents(job_id)).toEqual([expect.objectContaining({ to: "SKIPPED", reason: "metric-passed", value: 0.95 })]);
    expect((await lucius.events(job_id)).some((e) => e.type === "JOB_STATE_CHANGED" && e.details?.to === "AWAITING_APPROVAL")).toBe(false);
  });

  it("a RESULT without the metric is reviewed (fail safe); a key without the review role gets 403, another tenant's key 404, an unknown step 404, and nothing changes", async () => {
    const { job_id } = await lucius.submit(reviewed);
    await lucius.waitFor(job_id, awaiting, "AWAITING_APPROVAL");
    const plain = await lucius.decide(job_id, "review", "approve", { key: lucius.apiKey });
    expect(plain.status).toBe(403);
    expect(plain.body.type).toBe(ProblemType.forbidden);
    const outsider = await lucius.decide(job_id, "review", "approve", { key: lucius.outsiderKey });
    expect(outsider.status).toBe(404);
    expect((await lucius.decide(job_id, "no-such-step", "approve")).status).toBe(404);
    expect((await lucius.decide(job_id, "ocr", "approve")).status).toBe(409);
    const job = await lucius.job(job_id);
    expect(job.state).toBe("AWAITING_APPROVAL");
    expect(await reviewEvents(job_id)).toEqual([expect.objectContaining({ to: "AWAITING_APPROVAL", reason: "metric-missing" })]);
    expect((await lucius.decide(job_id, "review", "approve")).status).toBe(202);
    expect((await lucius.waitFor(job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
  });

  it("a review nobody decides in time carries on when on_timeout is approve, and the timeout is named as the approver", async () => {
    const { job_id } = await lucius.submit("OCR->REVIEW(1s, approve)->EMBEDDING");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(states(job)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    expect((await reviewEvents(job_id)).at(-1)).toMatchObject({ to: "SUCCEEDED", decision: "approve", by: "timeout" });
    expect((await lucius.decide(job_id, "review", "reject")).status).toBe(409);
  });

  it("a review nobody decides in time is rejected by default", async () => {
    const { job_id } = await lucius.submit("OCR->REVIEW(1s, reject)->EMBEDDING");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatchObject({ code: "REJECTED", by: "timeout", step_id: "review" });
  });

  it("a job awaiting review can be cancelled: the review step ends CANCELLED and so does the job", async () => {
    const { job_id } = await lucius.submit(reviewed, unsure);
    await lucius.waitFor(job_id, awaiting, "AWAITING_APPROVAL");
    expect((await lucius.control(job_id, "cancel")).status).toBe(202);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("CANCELLED");
    expect(states(job)).toEqual(["SUCCEEDED", "CANCELLED", "PENDING", "PENDING"]);
    expect((await lucius.decide(job_id, "review", "approve")).status).toBe(409);
  });
});

describe("review telemetry", () => {
  it("records every review's wait once, by decision: three approvals, two rejections, one cancel", async () => {
    const response = await fetch(`${lucius.url}/_devhost/metrics`, { headers: { "x-functions-key": lucius.host.key } });
    const snapshot = (await response.json()) as MetricsSnapshot;
    const wait = snapshot.metrics.find((m) => m.name === MetricNames.reviewWait);
    expect(wait?.unit).toBe("ms");
    const count = (decision: string) =>
      (wait?.points ?? []).filter((p) => p.attributes.decision === decision).reduce((sum, p) => sum + ("count" in p ? p.count : 0), 0);
    expect([count("approve"), count("reject"), count("cancelled")]).toEqual([3, 2, 1]);
    // Every review that waited was opened once: the queue the workbook charts is opened less decided.
    const opened = snapshot.metrics.find((m) => m.name === MetricNames.reviewsOpened);
    const openedTotal = (opened?.points ?? []).reduce((sum, p) => sum + ("value" in p ? Number(p.value) : 0), 0);
    expect(openedTotal).toBe(6);
  });
});
