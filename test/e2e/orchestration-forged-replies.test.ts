import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricNames } from "../../lib/config/names.js";
import type { MetricsSnapshot } from "../../devhost/telemetry/index.js";
import { sleep, startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

/** Every reply an outsider who knows the job id could forge for one attempt: each type, each id it could compute. */
function forgeries(jobId: string, tenantId: string, attemptNo: number) {
  const body = (type: string, extra: Record<string, unknown> = {}) => ({
    type,
    job_id: jobId,
    step_id: "ocr",
    tenant_id: tenantId,
    attempt_no: attemptNo,
    lease_id: randomUUID(),
    timestamp: new Date().toISOString(),
    ...extra,
  });
  const replies = [
    body("ACK"),
    body("RESULT", { status: "FAILED", failure_class: "NON_RETRYABLE", error: { code: "FORGED", message: "forged" } }),
    body("RESULT", { status: "SUCCEEDED", output_ref: "https://example.blob.core.windows.net/outputs/forged.json" }),
    body("HEARTBEAT", { sequence: 1 }),
  ];
  return replies.flatMap((reply) => {
    const suffix = reply.type === "HEARTBEAT" ? ":1" : "";
    return [
      // The ids replies had before they carried the lease, and the new form with a guessed lease.
      { messageId: `${jobId}:ocr:${attemptNo}:${reply.type}${suffix}`, body: reply },
      { messageId: `${jobId}:ocr:${attemptNo}:${reply.lease_id}:${reply.type}${suffix}`, body: reply },
      { messageId: `${jobId}:ocr:${attemptNo}:${randomUUID()}:${reply.type}${suffix}`, body: reply },
    ];
  });
}

async function sendReplies(messages: Array<{ messageId: string; body: unknown }>) {
  const response = await fetch(`${lucius.url}/_devhost/servicebus/topics/replies/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": lucius.host.key },
    body: JSON.stringify({ messages: messages.map((m) => ({ ...m, subject: (m.body as { type: string }).type })) }),
  });
  expect(response.status).toBe(200);
}

async function ignoredCount(): Promise<number> {
  const response = await fetch(`${lucius.url}/_devhost/metrics`, { headers: { "x-functions-key": lucius.host.key } });
  const metric = ((await response.json()) as MetricsSnapshot).metrics.find((m) => m.name === MetricNames.repliesIgnored);
  return (metric?.points ?? []).reduce((sum, p) => sum + ("value" in p ? p.value : p.count), 0);
}

describe("replies sent ahead by an outsider", () => {
  it("do not change the job's outcome, and only the first 20 ignored replies become events", async () => {
    const before = await ignoredCount();
    const { job_id, tenant_id } = await lucius.submit("OCR", { ocr: [{ do: "wait-then-succeed", interval_ms: 800 }] });
    // Ahead of the worker's real ACK and RESULT, for this attempt and the retries that would follow.
    const forged = [1, 2, 3].flatMap((attempt) => forgeries(job_id, tenant_id, attempt));
    await sendReplies(forged);
    // The two forged RESULTs share the old-form id: duplicate detection delivers one of them.
    const delivered = new Set(forged.map((m) => m.messageId)).size;

    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps[0]).toMatchObject({ attempt_no: 1, state: "SUCCEEDED" });
    expect(job.steps[0].output_ref).toBe(`${lucius.received(job_id)[0]!.output_ref}result-ocr-1.json`);
    expect(lucius.received(job_id).filter((d) => d.type === "DIRECTIVE")).toHaveLength(1);

    // Every forgery is counted; the timeline keeps only the bound's worth of them.
    for (let i = 0; i < 100 && (await ignoredCount()) - before < delivered; i++) await sleep(100);
    expect((await ignoredCount()) - before).toBeGreaterThanOrEqual(delivered);
    const ignoredEvents = (await lucius.events(job_id)).filter((e) => e.type === "REPLY_IGNORED");
    expect(ignoredEvents.length).toBeGreaterThanOrEqual(20);
    // Replies handled at the same moment may each take the last place; still not all of them land.
    expect(ignoredEvents.length).toBeLessThan(delivered);
  }, 60_000);
});
