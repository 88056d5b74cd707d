import { randomUUID } from "node:crypto";
import { HistoryEventType, newEvent, type HistoryEvent } from "./history.js";
import { newInboxKey, InboxKind, storedRowKeys, type InboxMessage } from "./inbox.js";
import { RuntimeStatus, type InstanceState } from "./instance-state.js";
import { takeMessages, type LiveInstance } from "./live-instance.js";
import type { OpenTask } from "./open-tasks.js";
import { ReplayStatus, type ReplayOutcome } from "./replay.js";
import type { DurableStore, EpisodeCommit } from "./store.js";

export type Replayer = (instance: LiveInstance, history: HistoryEvent[]) => Promise<ReplayOutcome>;

export interface EpisodeResult {
  /** Whether anything was committed. */
  committed: boolean;
  previousStatus: RuntimeStatus;
  /** Open tasks after the episode (empty unless the orchestrator ran and is still running). */
  openTasks: OpenTask[];
  /** Whether the orchestrator ran (open tasks are then authoritative). */
  replayed: boolean;
  /** The execution the open tasks belong to. */
  executionId: string;
  /** Set when continue-as-new replaced the execution. */
  previousExecutionId?: string;
}

/**
 * One episode: take pending messages, replay the orchestrator over history plus
 * the new events, and commit new history, state and consumed inbox rows in one
 * batch. Memory is updated only after the commit succeeded.
 */
export async function runEpisode(store: DurableStore, instance: LiveInstance, replayer: Replayer): Promise<EpisodeResult> {
  const state = instance.state!;
  const now = new Date();
  const stored = storedRowKeys(instance.queue);
  const intake = takeMessages(instance, now);
  const rowsToDelete = (keys: string[]) => keys.filter((key) => stored.has(key));
  const result: EpisodeResult = {
    committed: false,
    previousStatus: state.runtimeStatus,
    openTasks: [],
    replayed: false,
    executionId: state.executionId,
  };
  const events: HistoryEvent[] = [newEvent(HistoryEventType.OrchestratorStarted, {}, now)];
  if (!instance.started) {
    events.push(
      newEvent(
        HistoryEventType.ExecutionStarted,
        {
          Name: state.name,
          ...(state.input !== undefined ? { Input: state.input } : {}),
          ...(state.version !== undefined ? { Version: state.version } : {}),
          OrchestrationInstance: { InstanceId: state.instanceId, ExecutionId: state.executionId },
          ...(state.parent
            ? {
                ParentInstance: {
                  InstanceId: state.parent.instanceId,
                  ExecutionId: state.parent.executionId,
                  TaskScheduledId: state.parent.taskScheduledId,
                  Name: state.parent.name,
                },
              }
            : {}),
        },
        now,
      ),
    );
  }
  events.push(...intake.events);
  const next: InstanceState = { ...state, lastUpdatedTime: now.toISOString() };
  let addInbox: InboxMessage[] = [];
  let nextExecution: InstanceState | undefined;

  if (intake.terminateReason !== undefined) {
    next.runtimeStatus = RuntimeStatus.Terminated;
    next.output = JSON.stringify(intake.terminateReason);
    events.push(newEvent(HistoryEventType.ExecutionCompleted, { OrchestrationStatus: "Terminated", Result: next.output }, now));
  } else if (intake.suspended) {
    next.runtimeStatus = RuntimeStatus.Suspended;
  } else if (!instance.started || intake.forOrchestrator || instance.needsReplay || state.runtimeStatus === RuntimeStatus.Suspended) {
    const outcome = await replayer(instance, [...instance.history, ...events]);
    result.replayed = true;
    if (outcome.customStatus !== undefined) next.customStatus = outcome.customStatus;
    next.runtimeStatus = RuntimeStatus.Running;
    const scheduling = schedulingEvents(instance, outcome.openTasks, now);
    events.push(...scheduling);
    if (outcome.status === ReplayStatus.completed) {
      next.runtimeStatus = RuntimeStatus.Completed;
      if (outcome.output !== undefined) next.output = outcome.output;
      else delete next.output;
      events.push(
        newEvent(
          HistoryEventType.ExecutionCompleted,
          { OrchestrationStatus: "Completed", ...(outcome.output !== undefined ? { Result: outcome.output } : {}) },
          now,
        ),
      );
    } else if (outcome.status === ReplayStatus.failed) {
      next.runtimeStatus = RuntimeStatus.Failed;
      next.failure = outcome.failure!;
      next.output = JSON.stringify(`Orchestrator function '${state.name}' failed: ${outcome.failure!.ErrorMessage}`);
      events.push(
        newEvent(
          HistoryEventType.ExecutionCompleted,
          { OrchestrationStatus: "Failed", Result: outcome.failure!.ErrorMessage, FailureDetails: outcome.failure! },
          now,
        ),
      );
    } else if (outcome.status === ReplayStatus.continuedAsNew) {
      events.push(
        newEvent(
          HistoryEventType.ExecutionCompleted,
          {
            OrchestrationStatus: "ContinuedAsNew",
            ...(outcome.continueAsNewInput !== undefined ? { Result: outcome.continueAsNewInput } : {}),
          },
          now,
        ),
      );
      addInbox = carriedEvents(instance, events, outcome.waits);
      nextExecution = {
        ...next,
        executionId: randomUUID(),
        runtimeStatus: RuntimeStatus.Running,
        chunkCount: 0,
        ...(outcome.continueAsNewInput !== undefined ? { input: outcome.continueAsNewInput } : {}),
      };
      if (outcome.continueAsNewInput === undefined) delete nextExecution.input;
      delete nextExecution.output;
      delete nextExecution.customStatus;
    } else {
      result.openTasks = outcome.openTasks;
    }
    const onlyBookkeeping = events.length === 1 && instance.started && scheduling.length === 0;
    if (onlyBookkeeping && outcome.status === ReplayStatus.running && intake.consumed.length === 0) {
      // A replay that found nothing new (recovery): nothing to record.
      instance.needsReplay = false;
      await dropRows(store, instance, rowsToDelete(intake.dropped));
      return result;
    }
  } else if (intake.events.length === 0) {
    await dropRows(store, instance, rowsToDelete(intake.dropped));
    return result;
  }
  events.push(newEvent(HistoryEventType.OrchestratorCompleted, {}, now));

  const finalState = nextExecution ?? { ...next, chunkCount: state.chunkCount + 1 };
  const commit: EpisodeCommit = {
    state: finalState,
    stateChanged: nextExecution !== undefined || instance.unsaved || stateKey(finalState) !== stateKey(state),
    chunk: {
      executionId: state.executionId,
      index: state.chunkCount,
      data: { events, consumed: intake.consumed, at: now.toISOString() },
    },
    deleteRows: rowsToDelete([...intake.consumed, ...intake.dropped]),
    addInbox,
  };
  await store.commit(commit);
  result.committed = true;
  instance.needsReplay = false;
  instance.unsaved = false;
  for (const key of intake.consumed) instance.consumed.add(key);
  if (nextExecution) {
    result.previousExecutionId = state.executionId;
    result.executionId = nextExecution.executionId;
    instance.reset(nextExecution);
    instance.queue.unshift(...addInbox.map((message) => ({ kind: "inbox" as const, message })));
    instance.dirty = true;
  } else {
    for (const event of events) event.IsPlayed = true;
    instance.append(events);
    instance.state = finalState;
  }
  return result;
}

/**
 * The state without the fields that readers derive from history chunks: the
 * chunk count, the last update, and Pending → Running (an instance with history
 * that is still Pending in its row is Running).
 */
function stateKey(state: InstanceState): string {
  const { chunkCount: _chunks, lastUpdatedTime: _updated, runtimeStatus, ...rest } = state;
  const status = runtimeStatus === RuntimeStatus.Pending ? RuntimeStatus.Running : runtimeStatus;
  return JSON.stringify({ ...rest, status });
}

/** Scheduling events for open tasks the history does not have yet, in id order. */
function schedulingEvents(instance: LiveInstance, openTasks: OpenTask[], now: Date): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const task of openTasks) {
    if (instance.scheduled.has(task.id)) continue;
    if (task.kind === "activity") {
      events.push(
        newEvent(HistoryEventType.TaskScheduled, { EventId: task.id, Name: task.name, ...(task.input !== undefined ? { Input: task.input } : {}) }, now),
      );
    } else if (task.kind === "timer") {
      events.push(newEvent(HistoryEventType.TimerCreated, { EventId: task.id, FireAt: task.fireAt.toISOString() }, now));
    } else {
      events.push(
        newEvent(
          HistoryEventType.SubOrchestrationInstanceCreated,
          {
            EventId: task.id,
            Name: task.name,
            InstanceId: task.instanceId ?? `${instance.id}:${task.id}`,
            ...(task.input !== undefined ? { Input: task.input } : {}),
          },
          now,
        ),
      );
    }
  }
  return events;
}

/**
 * External events of this execution that no `waitForExternalEvent` took: they
 * move to the next execution's inbox (continue-as-new preserves unprocessed events).
 * Waiters take the oldest buffered event of their name first.
 */
function carriedEvents(instance: LiveInstance, newEvents: HistoryEvent[], waits: Map<string, number>): InboxMessage[] {
  const raised = [...instance.history, ...newEvents].filter((e) => e.EventType === HistoryEventType.EventRaised);
  const seen = new Map<string, number>();
  const carried: InboxMessage[] = [];
  for (const event of raised) {
    const name = event.Name!;
    const index = seen.get(name) ?? 0;
    seen.set(name, index + 1);
    if (index < (waits.get(name) ?? 0)) continue;
    carried.push({
      rowKey: newInboxKey(),
      kind: InboxKind.event,
      name,
      ...(event.Input !== undefined ? { input: event.Input } : {}),
      at: new Date().toISOString(),
    });
  }
  return carried;
}

async function dropRows(store: DurableStore, instance: LiveInstance, rowKeys: string[]): Promise<void> {
  if (rowKeys.length > 0) await store.deleteRows(instance.id, rowKeys);
}
