import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, testStepDefaults, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { ActivityNames } from "../../lib/orchestration/activity-calls.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  // A short backoff makes the activity retry interval 20 ms, so an outage can outlast every publish retry in seconds.
  lucius = await startLucius({ env: { LUCIUS_STEP_DEFAULTS: JSON.stringify({ ...testStepDefaults, backoff_seconds: [0.02, 0.04] }) } });
}, 60_000);
afterAll(() => lucius?.stop());

async function armFault(topic: string, status: 429 | 503, count: number) {
  const response = await fetch(`${lucius.url}/_devhost/servicebus/faults`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": lucius.host.key },
    body: JSON.stringify({ topic, status, count }),
  });
  expect(response.status).toBe(200);
}

describe("a bus that throttles or refuses publishes", () => {
  it.each([429, 503] as const)("is waited out: the directive goes through once the bus answers again (HTTP %i)", async (status) => {
    await armFault("directives", status, 3);
    const { job_id } = await lucius.submit("OCR->EMBEDDING");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { attempt_no: number }) => s.attempt_no)).toEqual([1, 1]);
    const directives = lucius.received(job_id).filter((d) => d.type === "DIRECTIVE");
    expect(directives.map((d) => d.step_id)).toEqual(["ocr", "embedding"]);
    // beginAttempt's own publish met the first refusal; the orchestration's publishMessage, with its retries, the rest.
    const history = await lucius.host.durable.getHistory(job_id);
    const published = history
      .filter((e) => e.EventType === HistoryEventType.TaskScheduled && e.Name === ActivityNames.publishMessage)
      .map((e) => (JSON.parse(e.Input as string) as { step_id: string }).step_id);
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published)).toEqual(new Set(["ocr"]));
    const faults = (await (await fetch(`${lucius.url}/_devhost/servicebus/faults`, { headers: { "x-functions-key": lucius.host.key } })).json()) as {
      faults: unknown[];
    };
    expect(faults.faults).toEqual([]);
  });
});

describe("a cancel while the bus is down", () => {
  const publishAttempts = 10; // the orchestrator's publish retry budget

  it.each([
    ["a short outage: the CANCEL goes out once the bus answers", 3, 1],
    ["an outage that outlasts every retry: no CANCEL, yet the job", publishAttempts, 0],
  ])("%s ends CANCELLED", async (_what, faults, cancels) => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(job_id, (j) => j.steps[0].state === "ACKED", "ocr ACKED");
    await armFault("directives", 503, faults);
    expect((await lucius.control(job_id, "cancel")).status).toBe(202);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("CANCELLED");
    expect(job.steps.map((s: { state: string }) => s.state)).toEqual(["CANCELLED", "PENDING"]);
    expect(lucius.received(job_id).filter((d) => d.type === "CANCEL")).toHaveLength(cancels);
    const left = (await (await fetch(`${lucius.url}/_devhost/servicebus/faults`, { headers: { "x-functions-key": lucius.host.key } })).json()) as {
      faults: unknown[];
    };
    expect(left.faults).toEqual([]);
    if (cancels === 0) lucius.release(job_id, "ocr", 1);
  });
});
