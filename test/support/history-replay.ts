import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import type { OrchestrationHandler } from "durable-functions";
import { createRequire } from "node:module";
import type { CapturedFunction } from "../../devhost/loader.js";
import { eventTypeName, HistoryEventType, type HistoryEvent } from "../../devhost/durable/history.js";
import { replay, ReplayStatus, type OrchestratorRun, type ReplayOutcome } from "../../devhost/durable/replay.js";
import type { OpenTask } from "../../devhost/durable/open-tasks.js";

/** An orchestrator as the Functions host invokes it (what `df.app.orchestration` registers). */
export type WrappedOrchestrator = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

/** The wrapper `df.app.orchestration` puts around a generator; the package does not export it by name. */
export const { createOrchestrator } = createRequire(import.meta.url)("durable-functions/lib/src/util/testingUtils.js") as {
  createOrchestrator: (fn: OrchestrationHandler) => WrappedOrchestrator;
};

/**
 * Runs a wrapped orchestrator on a context of the test's making, without the programming model
 * (these tests pin the library's replay decisions; the invocation path has its own conformance tests).
 */
export function directRun(fn: CapturedFunction, context: InvocationContext): OrchestratorRun {
  return async (trigger) => {
    try {
      return { context, state: await fn.handler(trigger, context) };
    } catch (error) {
      return { context, error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
}

/** A history recorded from a devhost run (scripts: `npm run record:histories`). */
export interface RecordedHistory {
  scenario: string;
  orchestrator: string;
  instanceId: string;
  /** JSON text of the orchestration input. */
  input?: string;
  version?: string;
  events: HistoryEvent[];
}

/** Where the current code first decided otherwise than the recorded run. */
export interface Divergence {
  scenario: string;
  /** 1-based episode (orchestrator invocation) of the recording. */
  episode: number;
  /** The decision's sequence number (the EventId of its scheduling event), or "end" for the outcome. */
  decision: number | "end";
  expected: string;
  got: string;
}

const scheduling = new Set<number>([HistoryEventType.TaskScheduled, HistoryEventType.TimerCreated, HistoryEventType.SubOrchestrationInstanceCreated]);
/** What the host, not the orchestrator, writes at an episode's end. */
const episodeEnd = new Set<number>([HistoryEventType.ExecutionCompleted, HistoryEventType.OrchestratorCompleted]);
/** Episodes in which the host does not run the orchestrator. */
const withoutReplay = new Set<number>([HistoryEventType.ExecutionSuspended, HistoryEventType.ExecutionTerminated]);

const recordedDecision = (event: HistoryEvent) =>
  event.EventType === HistoryEventType.TimerCreated
    ? "timer"
    : `${event.EventType === HistoryEventType.TaskScheduled ? "activity" : "sub-orchestration"} ${event.Name}`;
const replayedDecision = (task: OpenTask) => (task.kind === "timer" ? "timer" : `${task.kind === "activity" ? "activity" : "sub-orchestration"} ${task.name}`);

function episodesOf(events: HistoryEvent[]): HistoryEvent[][] {
  const episodes: HistoryEvent[][] = [];
  for (const event of events) {
    if (event.EventType === HistoryEventType.OrchestratorStarted || episodes.length === 0) episodes.push([]);
    episodes.at(-1)!.push(event);
  }
  return episodes;
}

function recordedEnd(episode: HistoryEvent[]): string {
  const end = episode.find((e) => e.EventType === HistoryEventType.ExecutionCompleted);
  return end ? `${end.OrchestrationStatus} ${end.OrchestrationStatus === "Completed" ? (end.Result ?? "") : ""}`.trim() : "running";
}
function replayedEnd(outcome: ReplayOutcome): string {
  if (outcome.status === ReplayStatus.completed) return `Completed ${outcome.output ?? ""}`.trim();
  if (outcome.status === ReplayStatus.failed) return "Failed";
  return outcome.status === ReplayStatus.running ? "running" : outcome.status;
}

/**
 * Replays a recorded history through `handler` as the host did, episode by
 * episode: each time over the history up to the episode's new events (what
 * the orchestrator saw then), comparing what it now schedules with what the
 * recording scheduled, by sequence number and name (as Durable Task's
 * nondeterminism check does), and its outcome with the recorded one.
 */
export async function firstDivergence(orchestrator: WrappedOrchestrator, history: RecordedHistory): Promise<Divergence | undefined> {
  const fn = { name: history.orchestrator, handler: orchestrator } as unknown as CapturedFunction;
  const played: HistoryEvent[] = [];
  const decided = new Set<number>();
  for (const [index, episode] of episodesOf(history.events).entries()) {
    const seen = episode.filter((e) => !scheduling.has(e.EventType) && !episodeEnd.has(e.EventType));
    const skip = episode.some((e) => withoutReplay.has(e.EventType));
    if (!skip) {
      const events = structuredClone([...played, ...seen.map((e) => ({ ...e, IsPlayed: false }))]);
      const context = new df.DummyOrchestrationContext(history.orchestrator, `replay-${index}`, () => {}) as unknown as InvocationContext;
      const outcome = await replay(directRun(fn, context), history.instanceId, events, history.input, undefined);
      const expected = episode.filter((e) => scheduling.has(e.EventType)).sort((a, b) => a.EventId - b.EventId);
      const got = outcome.openTasks.filter((t) => !decided.has(t.id));
      for (let i = 0; i < Math.max(expected.length, got.length); i++) {
        const want = expected[i];
        const have = got[i];
        const wantText = want ? `#${want.EventId} ${recordedDecision(want)}` : "nothing";
        const haveText = have ? `#${have.id} ${replayedDecision(have)}` : "nothing";
        if (wantText !== haveText) {
          return { scenario: history.scenario, episode: index + 1, decision: want?.EventId ?? have!.id, expected: wantText, got: haveText };
        }
      }
      for (const task of got) decided.add(task.id);
      const end = replayedEnd(outcome);
      if (end !== recordedEnd(episode)) {
        const error = outcome.failure ? ` (${outcome.failure.ErrorMessage})` : "";
        return { scenario: history.scenario, episode: index + 1, decision: "end", expected: recordedEnd(episode), got: end + error };
      }
    }
    played.push(...episode.map((e) => ({ ...e, IsPlayed: true })));
  }
  return undefined;
}

export function describeDivergence(d: Divergence): string {
  return `history "${d.scenario}" diverges in episode ${d.episode} at decision ${d.decision === "end" ? "end (outcome)" : `#${d.decision}`}: recorded ${d.expected}, current code ${d.got}`;
}

/** A readable one-line view of a history, for a failing test's message. */
export const historyOutline = (events: HistoryEvent[]) =>
  events.map((e) => `${eventTypeName[e.EventType]}${e.EventId >= 0 ? `#${e.EventId}` : ""}${e.Name ? `(${e.Name})` : ""}`).join(" ");
