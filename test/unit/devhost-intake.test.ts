import { describe, expect, it } from "vitest";
import { HistoryEventType, newEvent } from "../../devhost/durable/history.js";
import { InboxKind, newInboxKey, type InboxMessage, type WorkMessage } from "../../devhost/durable/inbox.js";
import { RuntimeStatus, type InstanceState } from "../../devhost/durable/instance-state.js";
import { LiveInstance, takeMessages } from "../../devhost/durable/live-instance.js";

const state = (status: RuntimeStatus = RuntimeStatus.Running): InstanceState => ({
  instanceId: "i1",
  name: "orch",
  executionId: "e1",
  runtimeStatus: status,
  createdTime: new Date(0).toISOString(),
  lastUpdatedTime: new Date(0).toISOString(),
  chunkCount: 1,
});

function instanceWith(status?: RuntimeStatus): LiveInstance {
  const instance = new LiveInstance("i1");
  instance.reset(state(status), [
    newEvent(HistoryEventType.OrchestratorStarted),
    newEvent(HistoryEventType.ExecutionStarted, { Name: "orch" }),
    newEvent(HistoryEventType.TaskScheduled, { EventId: 0, Name: "a" }),
    newEvent(HistoryEventType.TimerCreated, { EventId: 1, FireAt: new Date().toISOString() }),
    newEvent(HistoryEventType.TaskScheduled, { EventId: 2, Name: "b" }),
    newEvent(HistoryEventType.TaskCompleted, { TaskScheduledId: 2, Result: "1" }),
  ]);
  return instance;
}

const completion = (type: HistoryEventType, fields: Record<string, unknown>, executionId = "e1"): WorkMessage => ({
  kind: "completion",
  executionId,
  event: newEvent(type, fields),
});
const inbox = (kind: InboxKind, fields: Partial<InboxMessage> = {}): WorkMessage => ({
  kind: "inbox",
  message: { rowKey: newInboxKey(), kind, at: new Date().toISOString(), ...fields },
});

describe("devhost episode intake", () => {
  it("delivers each completion once, only to a scheduled task of its own kind and execution", () => {
    const instance = instanceWith();
    instance.queue = [
      completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 0, Result: "1" }),
      completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 0, Result: "2" }), // duplicate (activity ran twice)
      completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 1, Result: "3" }), // id 1 is a timer
      completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 2, Result: "4" }), // already in history
      completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 7, Result: "5" }), // never scheduled
      completion(HistoryEventType.TimerFired, { TimerId: 1 }, "old-execution"),
      completion(HistoryEventType.TimerFired, { TimerId: 1 }),
    ];
    const intake = takeMessages(instance, new Date());
    expect(intake.events.map((e) => [e.EventType, e.TaskScheduledId ?? e.TimerId, e.Result])).toEqual([
      [HistoryEventType.TaskCompleted, 0, "1"],
      [HistoryEventType.TimerFired, 1, undefined],
    ]);
    expect(instance.queue).toEqual([]);
  });

  it("skips inbox rows already recorded in history and drops them", () => {
    const instance = instanceWith();
    const raised = inbox(InboxKind.event, { name: "go", input: "1" });
    instance.consumed.add((raised as { message: InboxMessage }).message.rowKey);
    instance.queue = [raised];
    const intake = takeMessages(instance, new Date());
    expect(intake.events).toEqual([]);
    expect(intake.dropped).toEqual([(raised as { message: InboxMessage }).message.rowKey]);
  });

  it("holds events and completions while suspended and releases them, in order, on resume", () => {
    const instance = instanceWith();
    const first = inbox(InboxKind.event, { name: "first" });
    instance.queue = [inbox(InboxKind.suspend), first, completion(HistoryEventType.TaskCompleted, { TaskScheduledId: 0, Result: "1" })];
    const suspended = takeMessages(instance, new Date());
    expect(suspended.suspended).toBe(true);
    expect(suspended.events.map((e) => e.EventType)).toEqual([HistoryEventType.ExecutionSuspended]);
    expect(instance.queue).toHaveLength(2);

    instance.state!.runtimeStatus = RuntimeStatus.Suspended;
    instance.queue.push(inbox(InboxKind.resume));
    const resumed = takeMessages(instance, new Date());
    expect(resumed.suspended).toBe(false);
    expect(resumed.events.map((e) => e.EventType)).toEqual([HistoryEventType.ExecutionResumed, HistoryEventType.EventRaised, HistoryEventType.TaskCompleted]);
  });

  it("stops at terminate: later messages are dropped", () => {
    const instance = instanceWith();
    const later = inbox(InboxKind.event, { name: "late" });
    instance.queue = [inbox(InboxKind.terminate, { reason: "enough" }), later];
    const intake = takeMessages(instance, new Date());
    expect(intake.terminateReason).toBe("enough");
    expect(intake.events.map((e) => e.EventType)).toEqual([HistoryEventType.ExecutionTerminated]);
    expect(intake.dropped).toEqual([(later as { message: InboxMessage }).message.rowKey]);
  });
});

describe("inbox row keys", () => {
  it("increase and never repeat within a process, across a millisecond and a clock step back", () => {
    const made = [...Array.from({ length: 300 }, () => newInboxKey(9_000)), newInboxKey(8_999), newInboxKey(9_001)];
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });
});
