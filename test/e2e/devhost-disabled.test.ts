import { afterAll, describe, expect, it } from "vitest";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { disabledSettingName } from "../../devhost/disabled-functions.js";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { azuriteConnectionString } from "../support/storage.js";
import { eventually, fixtureClient, fixtureFiles, fixtureHostJson, uniqueTaskHub } from "../fixtures/devhost-app/harness.js";

// Its own file: devhost puts the settings it is given into process.env, where the next host would see them.
const taskHub = uniqueTaskHub();
const disabling = {
  [disabledSettingName("sequenceOrchestration")]: "true",
  [disabledSettingName("square")]: "1",
  [disabledSettingName("echoBody")]: "TRUE",
};
const hosts: DevHost[] = [];

function start(env: Record<string, string>): Promise<DevHost> {
  return startDevHost({
    appFiles: fixtureFiles,
    port: 0,
    azurite: { connectionString: azuriteConnectionString() },
    taskHub,
    hostJsonPath: fixtureHostJson,
    logLevel: "error",
    env,
  }).then((host) => (hosts.push(host), host));
}

afterAll(async () => {
  for (const host of hosts) await host.stop();
  for (const name of Object.keys(disabling)) delete process.env[name];
});

describe("devhost honours AzureWebJobs.<name>.Disabled", () => {
  it("ignores the triggers of disabled functions and leaves their work stored for a host that runs it", async () => {
    const first = await start(disabling);
    const client = fixtureClient(first.url);

    const echo = await fetch(`${first.url}/api/echo`, { method: "POST", body: "{}" });
    expect(echo.status).toBe(404);

    // A disabled orchestrator is still scheduled, as the extension queues its start, but never runs.
    const held = await client.start("sequenceOrchestration", { count: 3 });
    // An enabled orchestrator runs until it schedules a disabled activity, which then never runs.
    const waiting = await client.start("fanOutOrchestration", { count: 2 });
    await first.durable.whenIdle(held.id);
    await first.durable.whenIdle(waiting.id);
    expect((await client.status(held.id))?.runtimeStatus).toBe("Pending");
    expect(await first.durable.getHistory(held.id)).toEqual([]);
    const fanOut = await first.durable.getHistory(waiting.id);
    expect(fanOut.filter((e) => e.EventType === HistoryEventType.TaskScheduled)).toHaveLength(2);
    expect(fanOut.some((e) => e.EventType === HistoryEventType.TaskCompleted)).toBe(false);

    await first.stop();
    for (const name of Object.keys(disabling)) delete process.env[name];

    // The same task hub under a host without the settings: both instances resume from storage.
    const second = await start({});
    const later = fixtureClient(second.url);
    const completed = (id: string) =>
      eventually(
        () => later.status(id),
        (status) => status?.runtimeStatus === "Completed",
        `${id} to complete`,
      );
    expect((await completed(held.id))?.output).toBe(0 + 1 + 4);
    expect((await completed(waiting.id))?.output).toBe(1 + 4);
    expect((await fetch(`${second.url}/api/echo`, { method: "POST", body: "{}" })).status).toBe(200);
  });
});
