import type { CapturedApp } from "../loader.js";
import type { Logger } from "../log.js";
import { Semaphore } from "../semaphore.js";
import { runActivity } from "./activities.js";
import { DurableRequestError } from "./errors.js";
import { HistoryEventType, newEvent } from "./history.js";
import type { WorkMessage } from "./inbox.js";
import { RuntimeStatus, type InstanceState } from "./instance-state.js";
import type { LiveInstance } from "./live-instance.js";
import type { OpenTask } from "./open-tasks.js";
import { TimerWheel } from "./timers.js";
import type { DurableInvoker } from "./worker-runs.js";

export interface DispatcherOptions {
  app: CapturedApp;
  invoker: DurableInvoker;
  log: Logger;
  /** @default 10 */
  maxConcurrentActivities?: number;
  /** @default 500 */
  retryDelayMs?: number;
  /** Activities that stay scheduled without running (`AzureWebJobs.<name>.Disabled`). */
  disabled: ReadonlySet<string>;
  /** Delivers work to an instance (wakes its next episode). */
  notify(instanceId: string, work?: WorkMessage): void;
  /** Registers background work the engine waits for when stopping. */
  track(promise: Promise<unknown>): void;
  startChild(parent: LiveInstance, taskId: number): Promise<void>;
}

/**
 * Carries out what an episode left open — activities (bounded concurrency),
 * durable timers, sub-orchestrations — and turns their outcomes into completion
 * messages for the instance. Everything here is in memory: the history already
 * holds the scheduling events, from which recovery dispatches again.
 */
export class Dispatcher {
  readonly timers = new TimerWheel();
  private readonly activitySlots: Semaphore;

  constructor(private readonly options: DispatcherOptions) {
    this.activitySlots = new Semaphore(options.maxConcurrentActivities ?? 10);
  }

  dispatch(instance: LiveInstance, openTasks: OpenTask[]): void {
    const executionId = instance.state!.executionId;
    for (const task of openTasks) {
      if (task.kind === "timer") {
        this.timer(instance, executionId, task.id, task.fireAt);
        continue;
      }
      const key = `${executionId}:${task.id}`;
      if (instance.dispatched.has(key)) continue;
      if (task.kind === "activity" && this.options.disabled.has(task.name)) continue;
      instance.dispatched.add(key);
      if (task.kind === "activity") {
        this.options.track(this.runActivity(instance.id, executionId, task.id, task.name, task.input));
      } else {
        this.options.track(this.options.startChild(instance, task.id).catch((error: unknown) => this.childStartFailed(instance, key, error)));
      }
    }
  }

  /** Tells a finished sub-orchestration's parent how it ended. */
  reportToParent(state: InstanceState): void {
    const parent = state.parent;
    if (!parent) return;
    const event =
      state.runtimeStatus === RuntimeStatus.Completed
        ? newEvent(HistoryEventType.SubOrchestrationInstanceCompleted, {
            TaskScheduledId: parent.taskScheduledId,
            Result: state.output ?? "null",
          })
        : newEvent(HistoryEventType.SubOrchestrationInstanceFailed, {
            TaskScheduledId: parent.taskScheduledId,
            Reason: `Sub-orchestration '${state.name}' (${state.instanceId}) ${state.runtimeStatus.toLowerCase()}`,
            Details: state.failure?.ErrorMessage ?? state.output ?? "",
            FailureDetails: state.failure ?? {
              ErrorType: "SubOrchestration" + state.runtimeStatus,
              ErrorMessage: `Sub-orchestration '${state.instanceId}' was ${state.runtimeStatus.toLowerCase()}: ${state.output ?? ""}`,
            },
          });
    this.options.notify(parent.instanceId, { kind: "completion", executionId: parent.executionId, event });
  }

  /**
   * Arms a timer the orchestrator opened, cancelled or not. The extension schedules every `CreateTimer`
   * action and only then cancels its own task for one marked `isCanceled`, so the timer's message stays
   * queued: when it falls due while the instance runs, its TimerFired is added to history and replayed,
   * and the library settles the cancelled task. Only the instance's end drops its timers.
   */
  private timer(instance: LiveInstance, executionId: string, id: number, computedFireAt: Date): void {
    const key = `${instance.id}|${executionId}|${id}`;
    // A timer already in history keeps its recorded due time (a retry timer's is computed at scheduling).
    const fireAt = instance.scheduled.get(id)?.FireAt ?? computedFireAt.toISOString();
    this.timers.arm(key, new Date(fireAt), () =>
      this.options.notify(instance.id, {
        kind: "completion",
        executionId,
        event: newEvent(HistoryEventType.TimerFired, { TimerId: id, FireAt: fireAt }),
      }),
    );
  }

  private async runActivity(instanceId: string, executionId: string, id: number, name: string, input?: string): Promise<void> {
    const { app, invoker } = this.options;
    const event = await this.activitySlots.run(() => runActivity(app, invoker, name, input, id));
    this.options.notify(instanceId, { kind: "completion", executionId, event });
  }

  private childStartFailed(parent: LiveInstance, key: string, error: unknown): void {
    if (!(error instanceof DurableRequestError)) {
      // Storage trouble: let the next replay dispatch the child again.
      parent.dispatched.delete(key);
      this.options.log.error(`could not start a sub-orchestration of '${parent.id}'; retrying`, error);
      setTimeout(() => this.options.notify(parent.id), this.options.retryDelayMs ?? 500).unref();
      return;
    }
    const [executionId, id] = key.split(":") as [string, string];
    this.options.notify(parent.id, {
      kind: "completion",
      executionId,
      event: newEvent(HistoryEventType.SubOrchestrationInstanceFailed, {
        TaskScheduledId: Number(id),
        Reason: error.message,
        Details: error.message,
        FailureDetails: { ErrorType: "SubOrchestrationStartError", ErrorMessage: error.message },
      }),
    });
  }
}
