import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as df from "durable-functions";
import { durableClientBinding } from "../../devhost/durable/client-binding.js";
import { durableFaultsPath, type ClientFault } from "../../devhost/durable/client-faults.js";
import { JobEventNames } from "../../lib/orchestration/names.js";
import { notifyOrchestration } from "../../lib/replies/notify-orchestration.js";
import type { Reply } from "../../lib/contracts/index.js";
import { invocationContext } from "../support/http.js";
import { sleep, startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

const faultsUrl = () => `${lucius.url}${durableFaultsPath}`;
const hostKey = () => ({ "x-functions-key": lucius.host.key });
async function armRaiseFault(fault: Omit<ClientFault, "operation">) {
  const response = await fetch(faultsUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", ...hostKey() },
    body: JSON.stringify({ operation: "raiseEvent", ...fault }),
  });
  expect(response.status).toBe(200);
}
const armedFaults = async () => ((await (await fetch(faultsUrl(), { headers: hostKey() })).json()) as { faults: ClientFault[] }).faults;
async function faultsSpent() {
  for (let i = 0; i < 200 && (await armedFaults()).length > 0; i++) await sleep(50);
  expect(await armedFaults()).toEqual([]);
}
const ignored = async (jobId: string) =>
  (await lucius.events(jobId)).filter((e) => e.type === "REPLY_IGNORED").map((e) => [e.details.reply_type, e.details.reason, e.attempt_no]);
const durableClient = () => df.getClient(invocationContext("test", durableClientBinding(lucius.url, lucius.host.taskHub, lucius.host.key)));

describe("replies reach the orchestration at least once", () => {
  it("a RESULT whose raise fails once is raised again from its redelivered copy and ends SUCCEEDED on the first attempt", async () => {
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(job_id, (j) => j.steps[0].state === "ACKED", "ocr ACKED");
    // From orchestration v3 the ACK stays in the ledger: nothing was raised for it, so this fault waits for the RESULT.
    await armRaiseFault({ instanceId: job_id, eventName: JobEventNames.reply, status: 503, count: 1 });
    await sleep(300);
    expect(await armedFaults()).toHaveLength(1);
    lucius.release(job_id, "ocr", 1);
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    await faultsSpent();
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { attempt_no: number }) => s.attempt_no)).toEqual([1]);
    expect(lucius.received(job_id).filter((d) => d.type === "DIRECTIVE")).toHaveLength(1);
    // A v3 attempt's RESULT is written by its settlement, not on arrival: the redelivered copy was the first
    // to be raised, so it is no duplicate, and the step records when the RESULT came.
    expect(await ignored(job_id)).toEqual([]);
    expect(Date.parse(job.steps[0].result_received_at)).toBeLessThanOrEqual(Date.parse(job.steps[0].completed_at));
  });

  it("a raise answered 404 (instance gone) is ignored as orchestration_gone, not redelivered", async () => {
    // The RESULT's raise is refused as for a vanished instance: the reply is dropped, and the attempt
    // runs out as if it had never come (the reconciler's case: an instance that no longer runs).
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(job_id, (j) => j.steps[0].state === "ACKED", "ocr ACKED");
    await armRaiseFault({ instanceId: job_id, eventName: JobEventNames.reply, status: 404, count: 1 });
    lucius.release(job_id, "ocr", 1);
    await faultsSpent();
    let reasons = await ignored(job_id);
    for (let i = 0; i < 100 && reasons.length === 0; i++) reasons = (await sleep(50), await ignored(job_id));
    expect(reasons).toEqual([["RESULT", "orchestration_gone", 1]]);
    expect((await lucius.control(job_id, "cancel")).status).toBe(202);
    expect((await lucius.waitFor(job_id, terminal, "terminal")).state).toBe("CANCELLED");
  });

  // A finished instance answers a raise 410, which the client resolves like a 202: a reply for a job
  // that has ended is recognised in its job row instead (test/integration/replies-ledger.test.ts).
  it("notifyOrchestration answers false for an unknown instance, true once raised, and throws on a failing extension", async () => {
    const { job_id } = await lucius.submit("OCR");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    const [directive] = lucius.received(job_id);
    const reply = { ...directive, type: "ACK", timestamp: new Date().toISOString() } as unknown as Reply;
    const client = durableClient();
    expect(await notifyOrchestration(client, { ...reply, job_id: "no-such-job" })).toBe(false);

    const running = await lucius.submit("OCR", { ocr: [{ do: "hold", interval_ms: 200 }] });
    await lucius.waitFor(running.job_id, (j) => j.steps[0].state === "ACKED", "ocr ACKED");
    await armRaiseFault({ instanceId: running.job_id, status: 500, count: 1 });
    await expect(notifyOrchestration(client, { ...reply, job_id: running.job_id })).rejects.toThrow();
    expect(await notifyOrchestration(client, { ...reply, job_id: running.job_id })).toBe(true);
    lucius.release(running.job_id, "ocr", 1);
    expect((await lucius.waitFor(running.job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
  });
});
