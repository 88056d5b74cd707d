import { describe, expect, it } from "vitest";
import { eventually, historyOf, useFixtureHost } from "../fixtures/devhost-app/harness.js";

const fixture = useFixtureHost("error");

type Event = Record<string, unknown>;
const ofType = (history: Event[], type: string) => history.filter((e) => e.EventType === type);

/** Every completion answers a scheduling event of its own kind, once. */
function expectCorrelated(history: Event[]): void {
  const scheduled = new Map<number, string>();
  for (const e of history) {
    if (e.EventType === "TaskScheduled" || e.EventType === "TimerCreated" || e.EventType === "SubOrchestrationInstanceCreated") {
      expect(scheduled.has(e.EventId as number), `EventId ${String(e.EventId)} scheduled twice`).toBe(false);
      scheduled.set(e.EventId as number, e.EventType);
    }
  }
  const expectedKind: Record<string, string> = {
    TaskCompleted: "TaskScheduled",
    TaskFailed: "TaskScheduled",
    TimerFired: "TimerCreated",
    SubOrchestrationInstanceCompleted: "SubOrchestrationInstanceCreated",
    SubOrchestrationInstanceFailed: "SubOrchestrationInstanceCreated",
  };
  const answered = new Set<number>();
  for (const e of history) {
    const kind = expectedKind[e.EventType as string];
    if (!kind) continue;
    const id = (e.TaskScheduledId ?? e.TimerId) as number;
    expect(scheduled.get(id), `${String(e.EventType)} ${id}`).toBe(kind);
    expect(answered.has(id), `id ${id} answered twice`).toBe(false);
    answered.add(id);
  }
}

/** Starts the fixture's race with a timeout of `timeoutMs` and lets the approval win it; the instance then waits for "finish". */
async function raceWonByEvent(timeoutMs: number) {
  const started = await fixture.client.start("raceOrchestration", { timeoutMs, waitForFinish: true });
  await eventually(
    () => fixture.client.status(started.id),
    (s) => s?.runtimeStatus === "Running",
    "the race to start",
  );
  await fixture.client.operation(started.id, "raise", "approval", { approved: true });
  await eventually(
    () => fixture.client.status(started.id),
    (s) => s?.customStatus === "raced",
    "the race to resolve",
  );
  return started;
}

describe("devhost Durable engine (in-process)", () => {
  it("retries a failing activity with callActivityWithRetry on a backoff schedule of durable timers", async () => {
    const started = await fixture.client.start("retryOrchestration", { failTimes: 2, maxAttempts: 3, firstRetryMs: 50 });
    const done = await fixture.client.finished(started);
    expect(done.runtimeStatus).toBe("Completed");
    expect(done.output).toEqual({ ok: true, result: "ok after 2 failure(s)" });
    const history = historyOf(done);
    expectCorrelated(history);
    expect(ofType(history, "TaskScheduled")).toHaveLength(3);
    expect(ofType(history, "TaskFailed")).toHaveLength(2);
    expect(ofType(history, "TaskCompleted")).toHaveLength(1);
    const failures = ofType(history, "TaskFailed").map((e) => Date.parse(e.Timestamp as string));
    const retryTimers = ofType(history, "TimerCreated").map((e) => Date.parse(e.FireAt as string));
    expect(retryTimers).toHaveLength(2);
    // first interval 50 ms, backoff coefficient 2 → 50 ms then 100 ms after each failure
    expect(retryTimers[0]! - failures[0]!).toBeGreaterThanOrEqual(50);
    expect(retryTimers[1]! - failures[1]!).toBeGreaterThanOrEqual(100);
    expect(ofType(history, "TimerFired")).toHaveLength(2);
  });

  it("fails the task once the attempts are used up", async () => {
    const started = await fixture.client.start("retryOrchestration", { failTimes: 5, maxAttempts: 2, firstRetryMs: 20 });
    const done = await fixture.client.finished(started);
    expect(done.output).toMatchObject({ ok: false });
    expect((done.output as { error: string }).error).toContain("flaky failure, 4 left");
    expect(ofType(historyOf(done), "TaskScheduled")).toHaveLength(2);
  });

  it("waits on a durable timer; currentUtcDateTime resumes at or after its due time", async () => {
    const done = await fixture.client.finished(await fixture.client.start("timerOrchestration", { delayMs: 300 }));
    const output = done.output as { fireAt: string; resumedAt: string };
    expect(Date.parse(output.resumedAt)).toBeGreaterThanOrEqual(Date.parse(output.fireAt));
    expectCorrelated(historyOf(done));
  });

  // The extension schedules every CreateTimer action and only cancels its own task for one the library marks
  // isCanceled (OutOfProcOrchestrationShim), so a cancelled timer stays queued until it is due or the instance ends.
  it("races an external event against a timeout: the event wins, the cancelled timer stays scheduled until the instance ends", async () => {
    const started = await raceWonByEvent(600_000);
    await fixture.host.durable.whenIdle(started.id);
    expect(fixture.host.durable.armedTimers(started.id)).toBe(1);
    await fixture.client.operation(started.id, "raise", "finish", null);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ outcome: "event", data: { approved: true } });
    expect(fixture.host.durable.armedTimers(started.id)).toBe(0);
    const history = historyOf(done);
    expect(ofType(history, "TimerCreated")).toHaveLength(1);
    expect(ofType(history, "TimerFired")).toHaveLength(0);
  });

  it("adds a cancelled timer that falls due while the instance runs to history as TimerFired, and the orchestrator goes on", async () => {
    const started = await raceWonByEvent(1_500);
    await eventually(
      async () => fixture.host.durable.armedTimers(started.id),
      (armed) => armed === 0,
      "the cancelled timer to fall due",
    );
    await fixture.host.durable.whenIdle(started.id);
    await fixture.client.operation(started.id, "raise", "finish", null);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ outcome: "event", data: { approved: true } });
    const history = historyOf(done);
    expectCorrelated(history);
    const types = history.map((e) => e.EventType);
    const fired = types.indexOf("TimerFired");
    expect(ofType(history, "TimerFired")).toHaveLength(1);
    // It came after the event that won the race, and before the one the orchestrator still waited for.
    expect(fired).toBeGreaterThan(types.indexOf("EventRaised"));
    expect(fired).toBeLessThan(types.lastIndexOf("EventRaised"));
  });

  it("races an external event against a timeout: no event, the timeout wins", async () => {
    const done = await fixture.client.finished(await fixture.client.start("raceOrchestration", { timeoutMs: 200 }));
    expect(done.output).toEqual({ outcome: "timeout" });
    expect(ofType(historyOf(done), "TimerFired")).toHaveLength(1);
  });

  it("fans out 20 activities and fans their results in", async () => {
    const done = await fixture.client.finished(await fixture.client.start("fanOutOrchestration", { count: 20 }));
    expect(done.output).toBe(Array.from({ length: 20 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b, 0));
    const history = historyOf(done);
    expectCorrelated(history);
    expect(ofType(history, "TaskScheduled").map((e) => e.EventId)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ofType(history, "TaskCompleted")).toHaveLength(20);
  });

  it("runs sub-orchestrations and reports their results and failures to the parent", async () => {
    const started = await fixture.client.start("parentOrchestration", { name: "kid" });
    const done = await fixture.client.finished(started);
    expect(done.output).toMatchObject({ first: "child:kid" });
    expect((done.output as { failure: string }).failure).toContain("child bad refused");
    const history = historyOf(done);
    expectCorrelated(history);
    expect(ofType(history, "SubOrchestrationInstanceCompleted")).toHaveLength(1);
    expect(ofType(history, "SubOrchestrationInstanceFailed")).toHaveLength(1);
    const [firstChild, badChild] = ofType(history, "SubOrchestrationInstanceCreated").map((e) => e.InstanceId as string);
    expect(badChild).toBe(`${started.id}-bad`);
    expect((await fixture.client.status(firstChild!))?.runtimeStatus).toBe("Completed");
    expect((await fixture.client.status(badChild!))?.runtimeStatus).toBe("Failed");
  });

  it("continues as new until a counter reaches its target", async () => {
    const done = await fixture.client.finished(await fixture.client.start("counterOrchestration", { count: 0, target: 5 }));
    expect(done.output).toBe(5);
    const started = ofType(historyOf(done), "ExecutionStarted");
    expect(started).toHaveLength(1);
    expect(started[0]!.Input).toEqual({ count: 5, target: 5 });
  });

  it("serves the Durable client from an HTTP trigger: createCheckStatusResponse links and getStatus", async () => {
    const started = await fixture.client.start("fanOutOrchestration", { count: 3 });
    expect(started.statusQueryGetUri).toContain(`${fixture.host.url}/runtime/webhooks/durabletask/instances/${started.id}`);
    expect(started.sendEventPostUri).toContain(`/instances/${started.id}/raiseEvent/{eventName}`);
    await fixture.client.finished(started);
    const status = await fixture.client.status(started.id, true);
    expect(status).toMatchObject({ instanceId: started.id, name: "fanOutOrchestration", runtimeStatus: "Completed", output: 14 });
    expect(status?.input).toEqual({ count: 3 });
    expect(Date.parse(status!.lastUpdatedTime)).toBeGreaterThanOrEqual(Date.parse(status!.createdTime));
    expect(status?.history?.length).toBeGreaterThan(0);
  });

  it("terminates a waiting instance", async () => {
    const started = await fixture.client.start("waitOrchestration", { eventName: "never" });
    await eventually(
      () => fixture.client.status(started.id),
      (s) => s?.customStatus === "waiting",
      "the instance to wait",
    );
    await fixture.client.operation(started.id, "terminate");
    const done = await fixture.client.finished(started);
    expect(done.runtimeStatus).toBe("Terminated");
    expect(done.output).toBe("by test (terminate)");
  });

  it("suspends an instance (events are kept, nothing runs) and resumes it", async () => {
    const started = await fixture.client.start("waitOrchestration", {});
    await eventually(
      () => fixture.client.status(started.id),
      (s) => s?.customStatus === "waiting",
      "the instance to wait",
    );
    await fixture.client.operation(started.id, "suspend");
    await eventually(
      () => fixture.client.status(started.id),
      (s) => s?.runtimeStatus === "Suspended",
      "suspension",
    );
    await fixture.client.operation(started.id, "raise", "go", { value: 7 });
    await fixture.host.durable.whenIdle(started.id);
    const suspended = await fixture.client.status(started.id, true);
    expect(suspended?.runtimeStatus).toBe("Suspended");
    expect(ofType(historyOf(suspended!), "EventRaised")).toHaveLength(0);
    await fixture.client.operation(started.id, "resume");
    const done = await fixture.client.finished(started);
    expect(done.runtimeStatus).toBe("Completed");
    expect(done.output).toEqual({ before: "start", after: { value: 7 } });
    const types = historyOf(done).map((e) => e.EventType);
    expect(types.indexOf("ExecutionSuspended")).toBeLessThan(types.indexOf("ExecutionResumed"));
    expect(types.indexOf("ExecutionResumed")).toBeLessThan(types.indexOf("EventRaised"));
  });

  it("lists instances by status through getStatusBy", async () => {
    const finished = await fixture.client.start("fanOutOrchestration", { count: 1 });
    await fixture.client.finished(finished);
    const waiting = await fixture.client.start("waitOrchestration", { eventName: "never" });
    await eventually(
      () => fixture.client.status(waiting.id),
      (s) => s?.customStatus === "waiting",
      "the instance to wait",
    );
    const list = async (status: string) =>
      (await (await fetch(`${fixture.host.url}/api/instances?status=${status}`)).json()) as Array<{ instanceId: string; runtimeStatus: string }>;
    const completed = await list("Completed");
    expect(completed.map((s) => s.instanceId)).toContain(finished.id);
    expect(completed.map((s) => s.instanceId)).not.toContain(waiting.id);
    expect((await list("Running")).map((s) => s.instanceId)).toContain(waiting.id);
    await fixture.client.operation(waiting.id, "terminate");
  });

  it("purges a finished instance's history", async () => {
    const started = await fixture.client.start("fanOutOrchestration", { count: 2 });
    await fixture.client.finished(started);
    expect(await fixture.client.purge(started.id)).toEqual({ instancesDeleted: 1 });
    expect(await fixture.client.status(started.id)).toBeUndefined();
    expect(await fixture.client.purge(started.id)).toEqual({ instancesDeleted: 0 });
  });

  it("keeps an event raised before the orchestrator waits for it", async () => {
    const gate = `gate-${Date.now()}`;
    const started = await fixture.client.start("waitOrchestration", { gate, eventName: "early" });
    await eventually(
      () => fixture.client.status(started.id),
      (s) => s?.runtimeStatus === "Running",
      "the instance to start",
    );
    await fixture.client.operation(started.id, "raise", "early", "came first");
    await fixture.host.durable.whenIdle(started.id);
    await fixture.client.openGate(gate);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ before: gate, after: "came first" });
    const history = historyOf(done);
    const raisedAt = history.findIndex((e) => e.EventType === "EventRaised");
    const gateDoneAt = history.findIndex((e) => e.EventType === "TaskCompleted");
    expect(raisedAt).toBeGreaterThanOrEqual(0);
    expect(raisedAt).toBeLessThan(gateDoneAt);
  });

  it("refuses what the extension refuses: unknown orchestrator, duplicate running id, events to unknown instances", async () => {
    const api = `${fixture.host.url}/runtime/webhooks/durabletask`;
    const headers = { "x-functions-key": fixture.host.key, "content-type": "application/json" };
    expect((await fetch(`${api}/orchestrators/noSuchOrchestrator`, { method: "POST", headers })).status).toBe(400);
    const started = await fixture.client.start("waitOrchestration", { eventName: "never" });
    const again = await fetch(`${api}/orchestrators/waitOrchestration/${started.id}`, { method: "POST", body: "{}", headers });
    expect(again.status).toBe(409);
    expect((await fetch(`${api}/instances/nope-${Date.now()}/raiseEvent/x`, { method: "POST", body: "1", headers })).status).toBe(404);
    expect((await fetch(`${api}/instances/${started.id}`, { method: "DELETE", headers })).status).toBe(409);
    await fixture.client.operation(started.id, "terminate");
    await fixture.client.finished(started);
    expect((await fetch(`${api}/instances/${started.id}/raiseEvent/x`, { method: "POST", body: "1", headers })).status).toBe(410);
  });
});
