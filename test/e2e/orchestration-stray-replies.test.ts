import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HistoryEventType, type HistoryEvent } from "../../devhost/durable/history.js";
import { sleep, startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

/** Sends raw messages to the replies topic, as a misbehaving worker would. */
async function sendReplies(messages: Array<{ body: unknown; messageId?: string }>) {
  const response = await fetch(`${lucius.url}/_devhost/servicebus/topics/replies/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": lucius.host.key },
    body: JSON.stringify({ messages: messages.map((m) => ({ messageId: m.messageId ?? randomUUID(), body: m.body })) }),
  });
  expect(response.status).toBeLessThan(300);
}

async function deadLetters() {
  const response = await fetch(`${lucius.url}/_devhost/servicebus/topics/replies/subscriptions/orchestrator/deadletters`, {
    headers: { "x-functions-key": lucius.host.key },
  });
  return ((await response.json()) as { items: Array<Record<string, any>> }).items; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`never saw ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

const ignoredReasons = async (jobId: string) => (await lucius.events(jobId)).filter((e) => e.type === "REPLY_IGNORED").map((e) => e.details.reason as string);

describe("replies that must change nothing", () => {
  it("ignores a worker's duplicate ACK and RESULT and one under an old lease", async () => {
    const twice = await lucius.submit("OCR", { ocr: [{ do: "reply-twice" }] });
    const oldLease = await lucius.submit("OCR", { ocr: [{ do: "old-lease" }] });
    for (const { job_id } of [twice, oldLease]) {
      const job = await lucius.waitFor(job_id, terminal, "terminal");
      expect(job.state).toBe("SUCCEEDED");
      expect(job.steps[0].attempt_no).toBe(1);
    }
    // A copy that arrives after the orchestration settled the step is "step_finished" rather than "duplicate".
    const copies = await eventually(
      () => ignoredReasons(twice.job_id),
      (r) => r.length === 2,
      "two ignored copies",
    );
    for (const reason of copies) expect(["duplicate", "step_finished"]).toContain(reason);
    expect(
      await eventually(
        () => ignoredReasons(oldLease.job_id),
        (r) => r.length === 1,
        "a stale lease",
      ),
    ).toEqual(["stale_lease"]);
  });

  it("leaves a finished job exactly as it was when late, stale and malformed replies arrive, and dead-letters the malformed one", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING");
    await lucius.waitFor(job_id, terminal, "terminal");
    const before = await lucius.job(job_id);
    expect(before.state).toBe("SUCCEEDED");
    const [ocr] = lucius.received(job_id).filter((d) => d.type === "DIRECTIVE");
    const base = { job_id, step_id: ocr!.step_id, tenant_id: ocr!.tenant_id, attempt_no: 1, lease_id: ocr!.lease_id, timestamp: new Date().toISOString() };

    await sendReplies([
      { body: { ...base, type: "RESULT", status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "LATE", message: "too late" } } },
      { body: { ...base, type: "ACK", attempt_no: 7 } },
      { body: { ...base, type: "HEARTBEAT", lease_id: randomUUID(), sequence: 1 } },
      { body: { ...base, type: "RESULT", status: "FAILED" } },
      { body: "not json at all" },
    ]);
    const ignored = await eventually(
      () => ignoredReasons(job_id),
      (r) => r.length === 3,
      "three ignored replies",
    );
    expect(ignored.sort()).toEqual(["stale_attempt", "stale_lease", "step_finished"]);
    const dead = await eventually(
      deadLetters,
      (d) => d.filter((m) => JSON.stringify(m).includes(job_id) || m.body === "not json at all").length === 2,
      "two dead letters",
    );
    const ours = dead.filter((m) => JSON.stringify(m).includes(job_id) || m.body === "not json at all");
    for (const message of ours) {
      expect(message.deadLetterReason).toBe("InvalidReply");
      expect(message.deadLetterErrorDescription).toMatch(/\S/);
    }
    expect(ours.map((m) => m.deadLetterErrorDescription).join(" ")).toMatch(/failure_class|error/);

    const after = await lucius.job(job_id);
    expect(after).toEqual(before);
  });
});

describe("a cancelled timer that falls due while the job runs", () => {
  // The extension keeps a cancelled timer scheduled (devhost/durable/dispatcher.ts): the OCR step's ACK timer,
  // lost to its RESULT, fires 2 s on while EMBEDDING is held, and the orchestrator replays its TimerFired.
  it("changes nothing: the job goes on and each step succeeds on its first attempt", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS", { embedding: [{ do: "hold", interval_ms: 300 }] });
    await lucius.waitFor(job_id, (job) => job.steps?.[1]?.state === "ACKED", "held in EMBEDDING", 60_000);
    // The first timer is the OCR step's ACK timer; where its TimerFired stands, -1 while it has not fired.
    const ocrTimerFired = (events: HistoryEvent[]) => {
      const ocrTimer = events.find((e) => e.EventType === HistoryEventType.TimerCreated)?.EventId;
      return events.findIndex((e) => e.EventType === HistoryEventType.TimerFired && e.TimerId === ocrTimer);
    };
    const history = await eventually(
      () => lucius.host.durable.getHistory(job_id),
      (events) => ocrTimerFired(events) >= 0,
      "the OCR step's cancelled ACK timer to fire",
    );
    // It fired after the RESULT that beat it.
    expect(history.findIndex((e) => e.EventType === HistoryEventType.EventRaised)).toBeLessThan(ocrTimerFired(history));
    lucius.release(job_id, "embedding", 1);
    const job = await lucius.waitFor(job_id, terminal, "terminal", 60_000);
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { state: string; attempt_no: number }) => [s.state, s.attempt_no])).toEqual([
      ["SUCCEEDED", 1],
      ["SUCCEEDED", 1],
      ["SUCCEEDED", 1],
    ]);
  }, 90_000);
});
