import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "../support/tenant-refs.js";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { ActivityNames } from "../../lib/orchestration/activity-calls.js";
import { devhostServiceBusPath } from "../../lib/bus/devhost-sender.js";
import { SubscriptionNames, TopicNames } from "../../lib/config/names.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

describe("a job runs its protocol end to end under devhost", () => {
  it("wakes its orchestration once per activity and once per RESULT: the start opens the first attempt (v5), beginAttempt the others, ACKs stay in the ledger (v3)", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    const history = await lucius.host.durable.getHistory(job_id);
    const scheduled = history.filter((e) => e.EventType === HistoryEventType.TaskScheduled).map((e) => e.Name);
    expect(scheduled).toEqual([ActivityNames.startJob, ActivityNames.beginAttempt, ActivityNames.beginAttempt, ActivityNames.finishJob]);
    const raised = history
      .filter((e) => e.EventType === HistoryEventType.EventRaised)
      .map((e) => JSON.parse(e.Input as string) as { type: string; step_id: string });
    expect(raised.map((r) => [r.type, r.step_id])).toEqual([
      ["RESULT", "ocr"],
      ["RESULT", "embedding"],
      ["RESULT", "sis"],
    ]);
    // Each ACK is on the ledger's timeline all the same.
    const acked = (await lucius.events(job_id)).filter((e) => e.type === "STEP_STATE_CHANGED" && e.details?.to === "ACKED").map((e) => e.step_id);
    expect(acked).toEqual(["ocr", "embedding", "sis"]);
    expect(lucius.received(job_id).filter((d) => d.type === "DIRECTIVE")).toHaveLength(3);
    // The start and the first dispatch are one write: RUNNING and OCR's DISPATCHED land together.
    const timeline = await lucius.events(job_id);
    const running = timeline.find((e) => e.type === "JOB_STATE_CHANGED" && e.details?.to === "RUNNING");
    const dispatched = timeline.find((e) => e.type === "STEP_STATE_CHANGED" && e.step_id === "ocr" && e.details?.to === "DISPATCHED");
    expect(dispatched?.at).toBe(running?.at);
  });

  it("OCR->EMBEDDING->SIS succeeds with refs chained and a full timeline", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { step_id: string; state: string; attempt_no: number }) => [s.step_id, s.state, s.attempt_no])).toEqual([
      ["ocr", "SUCCEEDED", 1],
      ["embedding", "SUCCEEDED", 1],
      ["sis", "SUCCEEDED", 1],
    ]);

    const directives = lucius.received(job_id).filter((d) => d.type === "DIRECTIVE");
    expect(directives.map((d) => d.step_id)).toEqual(["ocr", "embedding", "sis"]);
    const [ocr, embedding, sis] = job.steps;
    const { tenant_id } = job;
    expect(directives[0]!.input_ref).toBe(tenantInput(blobAccountUrl(lucius.host.connectionString), tenant_id, "doc.png"));
    expect(directives[1]!.input_ref).toEqual(ocr.output_ref);
    expect(directives[2]!.input_ref).toEqual(embedding.output_ref);
    expect(directives[2]!.output_ref).toBe(tenantOutput(blobAccountUrl(lucius.host.connectionString), tenant_id, "doc/"));
    expect(job.output_ref).toEqual(sis.output_ref);
    for (const d of directives) {
      expect(d.lease_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(d.routing_key_used).toBe(d.tenant_id);
      expect(d.lane).toBeGreaterThanOrEqual(0);
    }

    const timeline = (await lucius.events(job_id)).map((e) => [e.type, e.step_id ?? null, e.details?.to ?? null]);
    expect(timeline[0]).toEqual(["JOB_CREATED", null, null]);
    for (const step of ["ocr", "embedding", "sis"]) {
      for (const to of ["DISPATCHED", "ACKED", "SUCCEEDED"]) expect(timeline).toContainEqual(["STEP_STATE_CHANGED", step, to]);
    }
    expect(timeline).toContainEqual(["JOB_STATE_CHANGED", null, "RUNNING"]);
    expect(timeline.at(-1)).toEqual(["JOB_STATE_CHANGED", null, "SUCCEEDED"]);
  });

  it("leaves no reply behind: the host completes each one the reply function returns from, and none is delivered twice", async () => {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS");
    expect((await lucius.waitFor(job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
    const subscription = `${lucius.url}${devhostServiceBusPath}/topics/${TopicNames.replies}/subscriptions/${SubscriptionNames.replies[0]}`;
    const counts = async () =>
      (
        (await (await fetch(subscription, { headers: { "x-functions-key": lucius.host.key } })).json()) as {
          counts: { active: number; scheduled: number; deadLettered: number };
        }
      ).counts;
    // The last RESULT is completed just after its function returns, which may be a moment after the job's end.
    const deadline = Date.now() + 3000;
    while ((await counts()).active > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // A reply left locked would stay active for the subscription's lock duration, then come again.
    expect(await counts()).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
    const ignored = (await lucius.events(job_id)).filter((e) => e.type === "REPLY_IGNORED");
    expect(ignored).toEqual([]);
  });
});
