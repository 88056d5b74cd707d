import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricNames } from "../../lib/config/names.js";
import type { MetricPointView, MetricsSnapshot, MetricView } from "../../devhost/telemetry/index.js";
import { sleep, startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
});
afterAll(() => lucius?.stop());

async function metricsNow(): Promise<MetricsSnapshot> {
  const response = await fetch(`${lucius.url}/_devhost/metrics`, { headers: { "x-functions-key": lucius.host.key } });
  expect(response.status).toBe(200);
  return (await response.json()) as MetricsSnapshot;
}

const byName = (snapshot: MetricsSnapshot, name: string): MetricView | undefined => snapshot.metrics.find((m) => m.name === name);
const matching = (metric: MetricView | undefined, attributes: Record<string, unknown>): MetricPointView[] =>
  (metric?.points ?? []).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
const total = (points: MetricPointView[]) => points.reduce((sum, p) => sum + ("value" in p ? p.value : p.count), 0);

/** Polls devhost's metrics until `ready` holds: the last activity of a job may still be recording. */
async function metricsWhen(ready: (snapshot: MetricsSnapshot) => boolean, what: string): Promise<MetricsSnapshot> {
  let last = await metricsNow();
  for (let i = 0; i < 100 && !ready(last); i++) {
    await sleep(100);
    last = await metricsNow();
  }
  if (!ready(last)) throw new Error(`metrics never showed ${what}: ${JSON.stringify(last)}`);
  return last;
}

describe("every metric is emitted during a run and readable at GET /_devhost/metrics", () => {
  it("a success, a retry, a rejection, an ignored reply, a dead-lettered reply and a drift repair", async () => {
    const before = await metricsNow();
    const ok = await lucius.submit("OCR");
    const retried = await lucius.submit("OCR", { ocr: [{ do: "fail-retryable" }, { do: "succeed" }] });
    const duplicate = await lucius.submit("OCR", { ocr: [{ do: "reply-twice" }] });
    const garbage = await lucius.submit("OCR", { ocr: [{ do: "garbage" }] });

    const rejected = await fetch(`${lucius.url}/v1/commands`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": lucius.apiKey },
      body: JSON.stringify({ tenant_id: "t-rejected", request_type: "OCR", schema_version: "v1" }),
    });
    expect(rejected.status).toBe(422);

    // While a job runs, the in-flight gauge reports its tenant; once it ends, zero.
    const held = await lucius.submit("OCR", { ocr: [{ do: "hold", interval_ms: 200 }] });
    const inFlight = (s: MetricsSnapshot) => matching(byName(s, MetricNames.jobsInFlight), { tenant_id: held.tenant_id });
    const running = await metricsWhen((s) => total(inFlight(s)) === 1, "the held job in flight");
    expect(byName(running, MetricNames.jobsInFlight)?.type).toBe("gauge");
    while (!lucius.worker.held.has(`${held.job_id}:ocr:1`)) await sleep(50);
    lucius.release(held.job_id, "ocr", 1);

    // A review approved, and a job whose deadline passes while its worker holds it.
    const reviewed = await lucius.submit("OCR->REVIEW->EMBEDDING->SIS", {}, { payload: { steps: { review: { when: "always" } } } });
    await lucius.waitFor(reviewed.job_id, (j) => j.state === "AWAITING_APPROVAL", "AWAITING_APPROVAL");
    expect((await lucius.decide(reviewed.job_id, "review", "approve")).status).toBe(202);
    const late = await lucius.submit("OCR", { ocr: [{ do: "hold", interval_ms: 200 }] }, { deadline: new Date(Date.now() + 1500).toISOString() });
    expect((await lucius.waitFor(late.job_id, terminal, "terminal")).error?.code).toBe("DEADLINE_EXCEEDED");

    for (const job of [ok, retried, duplicate, garbage, held, reviewed]) {
      expect((await lucius.waitFor(job.job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
    }
    // A corrupted in-flight counter, repaired by one reconciler run.
    await (await lucius.ledger()).setInFlight(`${ok.tenant_id}-drift`, 7);
    expect((await lucius.reconcile()).repairs.length).toBeGreaterThan(0);

    const succeededBefore = total(matching(byName(before, MetricNames.jobsTerminal), { state: "SUCCEEDED" }));
    const after = await metricsWhen(
      (s) => total(matching(byName(s, MetricNames.jobsTerminal), { state: "SUCCEEDED" })) >= succeededBefore + 6,
      "six more SUCCEEDED jobs",
    );
    expect(total(inFlight(after))).toBe(0);

    for (const name of Object.values(MetricNames)) {
      const metric = byName(after, name);
      expect(metric, `${name} was not emitted`).toBeDefined();
      expect(metric!.points.length, `${name} has no points`).toBeGreaterThan(0);
    }
    const accepted = byName(after, MetricNames.commandsAccepted);
    expect(accepted?.type).toBe("counter");
    expect(total(matching(accepted, { outcome: "created" }))).toBeGreaterThanOrEqual(4);
    expect(total(matching(byName(after, MetricNames.commandsRejected), { reason: "validation-failed" }))).toBeGreaterThanOrEqual(1);
    expect(total(matching(byName(after, MetricNames.stepRetries), { cause: "retryable_failure", step_type: "OCR" }))).toBeGreaterThanOrEqual(1);
    // The second copy of a RESULT is "duplicate" while its step is open, "step_finished" once the step is settled.
    const copiesIgnored = ["duplicate", "step_finished"].map((reason) => total(matching(byName(after, MetricNames.repliesIgnored), { reason })));
    expect(copiesIgnored[0]! + copiesIgnored[1]!).toBeGreaterThanOrEqual(2);
    expect(total(matching(byName(after, MetricNames.messagesDeadLettered), { topic: "replies", reason: "InvalidReply" }))).toBeGreaterThanOrEqual(1);

    expect(total(matching(byName(after, MetricNames.jobsDeadlineMissed), { protocol_id: "atomic-ocr.v1" }))).toBe(1);
    expect(total(matching(byName(after, MetricNames.reviewWait), { decision: "approve" }))).toBe(1);
    expect(total(matching(byName(after, MetricNames.jobDuration), { protocol_id: "ocr-review-embedding-sis.v1", outcome: "SUCCEEDED" }))).toBe(1);

    const durations = byName(after, MetricNames.stepAttemptDuration)!;
    expect(durations).toMatchObject({ type: "histogram", unit: "ms" });
    const succeeded = matching(durations, { step_type: "OCR", outcome: "succeeded" });
    expect(total(succeeded)).toBeGreaterThanOrEqual(4);
    expect(total(matching(durations, { step_type: "OCR", outcome: "retried" }))).toBeGreaterThanOrEqual(1);
    for (const point of succeeded)
      expect(point).toEqual({
        attributes: expect.any(Object),
        count: expect.any(Number),
        sum: expect.any(Number),
        min: expect.any(Number),
        max: expect.any(Number),
      });
    const acks = byName(after, MetricNames.stepAckLatency)!;
    expect(acks).toMatchObject({ type: "histogram", unit: "ms" });
    expect(total(matching(acks, { step_type: "OCR" }))).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it("answers only GET", async () => {
    const response = await fetch(`${lucius.url}/_devhost/metrics`, { method: "POST", headers: { "x-functions-key": lucius.host.key } });
    expect(response.status).toBe(405);
  });
});
