import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { spawnDevhost, type DevhostChild } from "../support/devhost-child.js";
import { azuriteConnectionString } from "../support/storage.js";
import { eventually, fixtureClient, fixtureFiles, fixtureHostJson, uniqueTaskHub, type ManagementPayload } from "../fixtures/devhost-app/harness.js";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs devhost as `npm start` would, on the shared Azurite, and waits for its ready line. */
function startChild(taskHub: string): Promise<DevhostChild> {
  const args = ["--port", "0", "--azurite", azuriteConnectionString(), "--task-hub", taskHub, "--host-json", fixtureHostJson, "--quiet"];
  for (const file of fixtureFiles) args.push("--app", file);
  return spawnDevhost(args, { track: (child) => children.push(child) });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe("devhost as a child process", () => {
  it("serves the app and runs an orchestration started over HTTP", async () => {
    const child = await startChild(uniqueTaskHub());
    const client = fixtureClient(child.url);
    const done = await client.finished(await client.start("fanOutOrchestration", { count: 20 }));
    expect(done.output).toBe(2870);
  });

  it("stops gracefully on SIGTERM", async () => {
    const child = await startChild(uniqueTaskHub());
    const exit = new Promise<number | null>((resolve) => child.process.once("exit", (code) => resolve(code)));
    child.process.kill("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("resumes every instance after SIGKILL mid-flight: 20 orchestrations with pending timers and activities complete", async () => {
    const taskHub = uniqueTaskHub();
    const first = await startChild(taskHub);
    const client = fixtureClient(first.url);
    const started: ManagementPayload[] = [];
    for (let n = 1; n <= 20; n++) started.push(await client.start("crashOrchestration", { n }));
    // Kill once every instance is past its first activity, i.e. timers and fan-out activities are pending.
    const atKill = await eventually(
      async () => Promise.all(started.map((s) => client.status(s.id))),
      (statuses) => statuses.every((s) => s?.customStatus === "timer" || s?.customStatus === "fanout"),
      "every instance to reach its timer",
    );
    await killed(first.process);
    expect(atKill.filter((s) => s?.runtimeStatus === "Running").length).toBeGreaterThan(0);

    const second = await startChild(taskHub);
    const again = fixtureClient(second.url);
    for (const [index, payload] of started.entries()) {
      const n = index + 1;
      const resumed = { ...payload, statusQueryGetUri: payload.statusQueryGetUri.replace(first.url, second.url) };
      const done = await again.finished(resumed, 30_000);
      expect(done.runtimeStatus, second.output()).toBe("Completed");
      expect(done.output).toBe(n * n + (n + 1) ** 2 + (n + 2) ** 2 + (n + 3) ** 2);
    }
  }, 90_000);
});
