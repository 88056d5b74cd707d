import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as df from "durable-functions";
import { durableClientBinding } from "../../devhost/durable/client-binding.js";
import { OrchestratorNames } from "../../lib/orchestration/names.js";
import { invocationContext } from "../support/http.js";
import { sleep, startLucius, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

const durableClient = () => df.getClient(invocationContext("test", durableClientBinding(lucius.url, lucius.host.taskHub, lucius.host.key)));

describe("an activity that cannot succeed by running again", () => {
  it("fails its orchestration at once, named, instead of being retried: startJob for a job the ledger does not have", async () => {
    const client = durableClient();
    const jobId = randomUUID();
    await client.startNew(OrchestratorNames.job, { instanceId: jobId, input: { job_id: jobId, tenant_id: "ghost", protocol_id: "atomic-ocr.v1" } });
    let status = await client.getStatus(jobId, { showHistory: true, showHistoryOutput: true });
    for (let i = 0; i < 100 && status.runtimeStatus !== df.OrchestrationRuntimeStatus.Failed; i++) {
      await sleep(50);
      status = await client.getStatus(jobId, { showHistory: true, showHistoryOutput: true });
    }
    expect(status.runtimeStatus).toBe(df.OrchestrationRuntimeStatus.Failed);
    expect(JSON.stringify(status.output)).toContain(`Job ${jobId} is not in the ledger`);
    // startJob runs once (callActivityWithRetry would have scheduled it five times, with a timer before each retry).
    const history = (status.history ?? []) as Array<{ EventType: string; FunctionName?: string; Result?: unknown }>;
    expect(history.filter((e) => e.EventType === "TaskScheduled").map((e) => e.FunctionName)).toEqual(["startJob"]);
    expect(history.find((e) => e.EventType === "TaskCompleted")?.Result).toMatchObject({ lucius_refused: { code: "NOT_IN_LEDGER" } });
    expect(history.filter((e) => e.EventType === "TimerCreated")).toEqual([]);
  });
});
