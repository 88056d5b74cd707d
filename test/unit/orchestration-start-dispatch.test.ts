import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { jobOrchestrator } from "../../orchestrations/job-orchestrator.js";
import { ActivityNames } from "../../lib/orchestration/activity-calls.js";
import { packageRoot } from "../../lib/paths.js";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { replay } from "../../devhost/durable/replay.js";
import type { CapturedFunction } from "../../devhost/loader.js";
import { createOrchestrator, directRun, type RecordedHistory } from "../support/history-replay.js";

/** The v5 recording of a job that succeeds, up to `startJob`'s completion, which opened the first attempt. */
const success = JSON.parse(readFileSync(join(packageRoot, "test/fixtures/histories/v5/success.json"), "utf8")) as RecordedHistory;
const started = success.events.findIndex((e) => e.EventType === HistoryEventType.TaskCompleted && e.TaskScheduledId === 0);

/** What the orchestrator schedules next when `startJob` answered with `plan` changed by `edit`. */
async function nextAfterStart(edit: (plan: Record<string, unknown>) => Record<string, unknown>) {
  const events = structuredClone(success.events.slice(0, started + 1));
  const completed = events.at(-1)!;
  completed.Result = JSON.stringify(edit(JSON.parse(completed.Result!) as Record<string, unknown>));
  // The episode that delivers the completion (its OrchestratorStarted and the completion) is new.
  events.forEach((e, i) => (e.IsPlayed = i < events.length - 2));
  const fn = { name: success.orchestrator, handler: createOrchestrator(jobOrchestrator) } as unknown as CapturedFunction;
  const context = new df.DummyOrchestrationContext(success.orchestrator, "start-dispatch", () => {}) as unknown as InvocationContext;
  const outcome = await replay(directRun(fn, context), success.instanceId, events, success.input, undefined);
  type Decision = { name: string; input: Record<string, unknown> } | string;
  return outcome.openTasks.map((t): Decision =>
    t.kind === "activity" ? { name: t.name, input: JSON.parse(t.input ?? "null") as Record<string, unknown> } : t.kind,
  );
}

describe("a v5 job whose start opened its first attempt", () => {
  it("waits for that attempt's ACK without opening another", async () => {
    const next = await nextAfterStart((plan) => plan);
    expect(next).toEqual(["timer"]);
  });

  it("tells that attempt's worker to stop when a cancel overtook the start, then ends the job CANCELLED", async () => {
    const plan = JSON.parse(success.events[started]!.Result!) as { first: { directive: Record<string, unknown> } };
    const next = await nextAfterStart((p) => ({ ...p, state: "CANCELLING", first: { kind: "dispatched", directive: plan.first.directive } }));
    expect(next).toEqual([{ name: ActivityNames.publishMessage, input: { ...plan.first.directive, payload: undefined, type: "CANCEL" } }]);
  });

  it("ends a job cancelled before its start at once, with no attempt to stop", async () => {
    const next = await nextAfterStart(({ first: _first, ...p }) => ({ ...p, state: "CANCELLING" }));
    expect(next).toEqual([{ name: ActivityNames.finishJob, input: expect.objectContaining({ state: "CANCELLED" }) }]);
  });
});
