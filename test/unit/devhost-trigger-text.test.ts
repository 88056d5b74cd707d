import { describe, expect, it } from "vitest";
import { HistoryEventType, newEvent, type HistoryEvent } from "../../devhost/durable/history.js";
import type { OrchestratorTrigger } from "../../devhost/durable/replay.js";
import { orchestrationTriggerText } from "../../devhost/durable/trigger-text.js";

const trigger = (history: HistoryEvent[], input: unknown = { job_id: "j1" }): OrchestratorTrigger => ({
  history,
  input,
  instanceId: "i1",
  isReplaying: false,
  parentInstanceId: null,
  upperSchemaVersion: 4,
});

describe("the orchestration trigger's text", () => {
  it("is JSON.stringify of the trigger, episode after episode, as events are played", () => {
    const played = (e: HistoryEvent) => ({ ...e, IsPlayed: true });
    const history = [
      played(newEvent(HistoryEventType.OrchestratorStarted)),
      played(newEvent(HistoryEventType.ExecutionStarted, { Name: "job", Input: '{"a":"é\\n"}', Version: undefined })),
      played(newEvent(HistoryEventType.TaskScheduled, { EventId: 0, Name: "startJob" }, new Date(5))),
    ];
    const fresh = [newEvent(HistoryEventType.OrchestratorStarted), newEvent(HistoryEventType.TaskCompleted, { TaskScheduledId: 0, Result: "1" })];
    for (const t of [trigger([]), trigger(history), trigger([...history, ...fresh], null), trigger(history)]) {
      expect(orchestrationTriggerText(t)).toBe(JSON.stringify(t));
    }
    for (const event of fresh) event.IsPlayed = true;
    const next = trigger([...history, ...fresh]);
    expect(orchestrationTriggerText(next)).toBe(JSON.stringify(next));
    expect(JSON.parse(orchestrationTriggerText(next))).toEqual(JSON.parse(JSON.stringify(next)));
  });
});
