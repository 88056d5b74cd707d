import { describe, expect, it } from "vitest";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { eventually, historyOf, useFixtureHost } from "../fixtures/devhost-app/harness.js";

const fixture = useFixtureHost("error");

type Event = Record<string, unknown>;
/** EventRaised of `name`, in the engine's own history (numeric types, `Name`) or in the status view's (type names, `FunctionName`). */
const raised = (history: Event[], name: string) =>
  history.filter((e) => (e.EventType === HistoryEventType.EventRaised || e.EventType === "EventRaised") && (e.Name ?? e.FunctionName) === name);

/** A race instance that is Running, idle, and waits for "approval" (then "finish"). */
async function waitingInstance() {
  const started = await fixture.client.start("raceOrchestration", { timeoutMs: 600_000, waitForFinish: true });
  await eventually(
    () => fixture.client.status(started.id),
    (s) => s?.runtimeStatus === "Running",
    "the race to start",
  );
  await fixture.host.durable.whenIdle(started.id);
  return started;
}

describe("devhost Durable engine: raised events", () => {
  it("answers a raise to a running instance once its history records the event, with no inbox row written", async () => {
    const started = await waitingInstance();
    const addInbox = fixture.host.durable.store.addInbox.bind(fixture.host.durable.store);
    let inboxWrites = 0;
    fixture.host.durable.store.addInbox = (...args) => (inboxWrites++, addInbox(...args));
    try {
      await fixture.host.durable.raiseEvent(started.id, "approval", JSON.stringify({ approved: true }));
      // Durable when answered: in the history as committed, read back from storage, not from memory.
      const stored = await fixture.host.durable.store.readHistory(started.id, (await fixture.host.durable.store.readState(started.id))!.executionId);
      expect(raised(stored.events as unknown as Event[], "approval")).toHaveLength(1);
      expect(await fixture.host.durable.store.readInbox(started.id)).toEqual([]);
      expect(inboxWrites).toBe(0);
    } finally {
      fixture.host.durable.store.addInbox = addInbox;
    }
    await fixture.client.operation(started.id, "raise", "finish", null);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ outcome: "event", data: { approved: true } });
    expect(raised(historyOf(done), "approval")).toHaveLength(1);
  });

  it("stores the event in the inbox before answering when the episode that would record it fails, and delivers it once", async () => {
    const started = await waitingInstance();
    const commit = fixture.host.durable.store.commit.bind(fixture.host.durable.store);
    let failures = 0;
    fixture.host.durable.store.commit = async (...args) => {
      if (failures++ === 0) throw new Error("injected: history commit failed once");
      return commit(...args);
    };
    try {
      await fixture.host.durable.raiseEvent(started.id, "approval", JSON.stringify({ approved: "late" }));
      const inbox = await fixture.host.durable.store.readInbox(started.id);
      const history = await fixture.host.durable.getHistory(started.id);
      // Answered only once it is stored: in the inbox, or already in history if the retry was quick.
      expect(inbox.length + raised(history as unknown as Event[], "approval").length).toBeGreaterThanOrEqual(1);
      await eventually(
        () => fixture.client.status(started.id),
        (s) => s?.customStatus === "raced",
        "the retried episode to take the event",
      );
      await fixture.host.durable.whenIdle(started.id);
      expect(await fixture.host.durable.store.readInbox(started.id)).toEqual([]);
    } finally {
      fixture.host.durable.store.commit = commit;
    }
    expect(failures).toBeGreaterThanOrEqual(2);
    await fixture.client.operation(started.id, "raise", "finish", null);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ outcome: "event", data: { approved: "late" } });
    expect(raised(historyOf(done), "approval")).toHaveLength(1);
  });

  it("stores an event raised to a suspended instance in the inbox, and delivers it after the resume", async () => {
    const started = await waitingInstance();
    await fixture.client.operation(started.id, "suspend");
    await eventually(
      () => fixture.client.status(started.id),
      (s) => s?.runtimeStatus === "Suspended",
      "the suspension",
    );
    await fixture.host.durable.raiseEvent(started.id, "approval", JSON.stringify({ approved: "held" }));
    expect(await fixture.host.durable.store.readInbox(started.id)).toHaveLength(1);
    await fixture.client.operation(started.id, "resume");
    await fixture.client.operation(started.id, "raise", "finish", null);
    const done = await fixture.client.finished(started);
    expect(done.output).toEqual({ outcome: "event", data: { approved: "held" } });
    expect(await fixture.host.durable.store.readInbox(started.id)).toEqual([]);
  });
});
