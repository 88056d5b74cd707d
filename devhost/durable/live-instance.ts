import { completionOf, HistoryEventType, newEvent, type HistoryEvent } from "./history.js";
import { InboxKind, type WorkMessage } from "./inbox.js";
import { RuntimeStatus, type InstanceState } from "./instance-state.js";

/** One instance as the engine holds it in memory: state, the current execution's history, pending work. */
export class LiveInstance {
  state: InstanceState | undefined;
  /** History of the current execution; append-only, so it is safe to cache. */
  history: HistoryEvent[] = [];
  /** Inbox row keys already recorded in history (dedupe after a crash between commit and delete). */
  consumed = new Set<string>();
  /** Scheduling events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated) by EventId. */
  scheduled = new Map<number, HistoryEvent>();
  /** Ids whose completion is in history. */
  completed = new Set<number>();
  queue: WorkMessage[] = [];
  /** Open tasks already handed to a worker, timer or child, as `<executionId>:<id>`. */
  dispatched = new Set<string>();
  loaded = false;
  /** New work arrived since the last episode started. */
  dirty = false;
  running = false;
  /** The state row has never been written (a new instance before its first commit). */
  unsaved = false;
  /** Replay even without new events, to find and dispatch open tasks (after loading from storage). */
  needsReplay = false;

  constructor(readonly id: string) {}

  /** Starts over with `state` (a new execution) and no history. */
  reset(state: InstanceState | undefined, history: HistoryEvent[] = [], consumed = new Set<string>()): void {
    this.state = state;
    this.history = [];
    this.scheduled.clear();
    this.completed.clear();
    this.consumed = consumed;
    this.append(history);
  }

  /** Makes `state` this instance's new, history-less execution, with nothing queued or dispatched. */
  adopt(state: InstanceState, unsaved: boolean): void {
    this.reset(state);
    this.queue = [];
    this.dispatched.clear();
    this.needsReplay = false;
    this.loaded = true;
    this.unsaved = unsaved;
  }

  append(events: HistoryEvent[]): void {
    for (const event of events) {
      this.history.push(event);
      if (event.EventId >= 0) this.scheduled.set(event.EventId, event);
      const completion = completionOf[event.EventType];
      if (completion) this.completed.add(event[completion.idField]!);
    }
  }

  get started(): boolean {
    return this.history.length > 0;
  }
}

/** What an episode takes from the queue. */
export interface Intake {
  /** New history events, in order (after OrchestratorStarted/ExecutionStarted). */
  events: HistoryEvent[];
  /** Inbox rows recorded by these events. */
  consumed: string[];
  /** Inbox rows to delete without recording (duplicates, or dropped). */
  dropped: string[];
  terminateReason?: string;
  suspended: boolean;
  /** Anything the orchestrator has to see (events, completions, a resume with buffered work). */
  forOrchestrator: boolean;
}

/**
 * Moves deliverable messages from the queue into history events. Completions are
 * matched to their own scheduling event (an activity result never completes a
 * timer) and delivered once per id; while suspended only resume and terminate
 * are taken, everything else stays queued in arrival order.
 */
export function takeMessages(instance: LiveInstance, now: Date): Intake {
  const state = instance.state!;
  const intake: Intake = {
    events: [],
    consumed: [],
    dropped: [],
    suspended: state.runtimeStatus === RuntimeStatus.Suspended,
    forOrchestrator: false,
  };
  const pending = instance.queue;
  let held: WorkMessage[] = [];
  const completedNow = new Set<number>();
  for (let i = 0; i < pending.length; i++) {
    const work = pending[i]!;
    if (intake.terminateReason !== undefined) {
      if (work.kind === "inbox") intake.dropped.push(work.message.rowKey);
      continue;
    }
    if (work.kind === "inbox") {
      const message = work.message;
      if (instance.consumed.has(message.rowKey)) {
        intake.dropped.push(message.rowKey);
        continue;
      }
      if (message.kind === InboxKind.terminate) {
        intake.terminateReason = message.reason ?? "";
        intake.consumed.push(message.rowKey);
        intake.events.push(newEvent(HistoryEventType.ExecutionTerminated, { Input: JSON.stringify(message.reason ?? "") }, now));
      } else if (message.kind === InboxKind.suspend) {
        intake.consumed.push(message.rowKey);
        if (!intake.suspended) {
          intake.suspended = true;
          intake.events.push(newEvent(HistoryEventType.ExecutionSuspended, { Reason: message.reason ?? "" }, now));
        }
      } else if (message.kind === InboxKind.resume) {
        intake.consumed.push(message.rowKey);
        if (intake.suspended) {
          intake.suspended = false;
          intake.events.push(newEvent(HistoryEventType.ExecutionResumed, { Reason: message.reason ?? "" }, now));
          pending.splice(i + 1, 0, ...held);
          held = [];
        }
      } else if (intake.suspended) {
        held.push(work);
      } else {
        intake.consumed.push(message.rowKey);
        intake.forOrchestrator = true;
        intake.events.push(
          newEvent(HistoryEventType.EventRaised, { Name: message.name!, ...(message.input !== undefined ? { Input: message.input } : {}) }, now),
        );
      }
      continue;
    }
    if (work.executionId !== state.executionId) continue;
    if (intake.suspended) {
      held.push(work);
      continue;
    }
    const spec = completionOf[work.event.EventType];
    const id = spec ? work.event[spec.idField] : undefined;
    if (!spec || id === undefined) continue;
    const scheduled = instance.scheduled.get(id);
    if (!scheduled || scheduled.EventType !== spec.scheduled) continue;
    if (instance.completed.has(id) || completedNow.has(id)) continue;
    completedNow.add(id);
    intake.forOrchestrator = true;
    intake.events.push({ ...work.event, Timestamp: now.toISOString(), IsPlayed: false });
  }
  instance.queue = held;
  return intake;
}
