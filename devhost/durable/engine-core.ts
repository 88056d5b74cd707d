import type { CapturedApp } from "../loader.js";
import type { Logger } from "../log.js";
import { KeyedMutex, Semaphore } from "../semaphore.js";
import { TriggerTypes } from "./activities.js";
import { Dispatcher } from "./dispatcher.js";
import { DurableErrorCode, DurableRequestError } from "./errors.js";
import { runEpisode, type EpisodeResult } from "./episode.js";
import type { HistoryEvent } from "./history.js";
import { answerSender, storedRowKeys, type WorkMessage } from "./inbox.js";
import { isTerminal, newInstanceState, RuntimeStatus, type InstanceState, type ParentRef } from "./instance-state.js";
import { LiveInstance } from "./live-instance.js";
import { replay, type ReplayOutcome } from "./replay.js";
import { assertOrchestrator, failedReplay, sameParent } from "./engine-checks.js";
import { loadInstance } from "./load-instance.js";
import type { DurableStore } from "./store.js";
import type { DurableInvoker } from "./worker-runs.js";

export interface DurableEngineOptions {
  store: DurableStore;
  app: CapturedApp;
  /** Runs orchestrators and activities through the app's programming model (worker-runs.ts). */
  invoker: DurableInvoker;
  log: Logger;
  /** Instances whose episodes run at the same time. @default 10 */
  maxConcurrentOrchestrations?: number;
  /** Activities running at the same time. @default 10 */
  maxConcurrentActivities?: number;
  /** The version new orchestrations get (host.json `extensions.durableTask.defaultVersion`). @default none */
  defaultVersion?: string;
  /** Pause before retrying an episode that failed on storage. @default 500 */
  retryDelayMs?: number;
  /**
   * Orchestrators and activities that are scheduled but never run
   * (`AzureWebJobs.<name>.Disabled`). @default none
   */
  disabled?: ReadonlySet<string>;
}

/**
 * The scheduling half of devhost's Durable Task engine (the client operations
 * are {@link DurableEngine}'s): live instances, one episode at a time per
 * instance, what episodes leave open handed to the dispatcher, recovery at start.
 */
export abstract class EngineCore {
  protected readonly live = new Map<string, LiveInstance>();
  protected readonly mutex = new KeyedMutex();
  private readonly orchestrationSlots: Semaphore;
  protected readonly dispatcher: Dispatcher;
  private readonly inFlight = new Set<Promise<unknown>>();
  protected readonly waiters = new Map<string, Array<(state: InstanceState) => void>>();
  private stopping = false;

  constructor(protected readonly options: DurableEngineOptions) {
    this.orchestrationSlots = new Semaphore(options.maxConcurrentOrchestrations ?? 10);
    this.dispatcher = new Dispatcher({
      ...options,
      disabled: options.disabled ?? new Set(),
      notify: (instanceId, work) => this.notify(instanceId, work),
      track: (promise) => this.track(promise),
      startChild: (parent, taskId) => this.startChild(parent, taskId),
    });
  }

  get store(): DurableStore {
    return this.options.store;
  }

  /** Creates the tables and resumes every unfinished instance. */
  async start(): Promise<{ resumed: number }> {
    await this.store.ensureTables();
    const unfinished = await this.store.listStates([RuntimeStatus.Pending, RuntimeStatus.Running, RuntimeStatus.Suspended, RuntimeStatus.ContinuedAsNew]);
    for (const state of unfinished) {
      const instance = this.liveInstance(state.instanceId);
      await this.mutex.run(state.instanceId, () => this.ensureLoaded(instance));
      this.notify(state.instanceId);
    }
    return { resumed: unfinished.length };
  }

  /**
   * Stops taking work and waits up to `graceMs` for running episodes and
   * activities; whatever is still running then is abandoned (recovery re-runs it).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.dispatcher.timers.cancelAll();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    // Raised events no episode will take now: their callers hear so, and raise them again later.
    for (const instance of this.live.values()) {
      for (const work of instance.queue) {
        if (work.kind === "inbox")
          answerSender(work, new Error(`devhost stopped before the event '${work.message.name ?? ""}' to '${instance.id}' was recorded`));
      }
    }
  }

  protected liveInstance(instanceId: string): LiveInstance {
    let instance = this.live.get(instanceId);
    if (!instance) {
      instance = new LiveInstance(instanceId);
      this.live.set(instanceId, instance);
    }
    return instance;
  }

  protected notify(instanceId: string, work?: WorkMessage): void {
    if (this.stopping) return;
    const instance = this.liveInstance(instanceId);
    if (work) instance.queue.push(work);
    instance.dirty = true;
    if (instance.running) return;
    instance.running = true;
    this.track(this.orchestrationSlots.run(() => this.drain(instance)));
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  /** One episode per turn; an instance with more work queues again behind the others (fairness). */
  private async drain(instance: LiveInstance): Promise<void> {
    try {
      if (instance.dirty && !this.stopping) {
        instance.dirty = false;
        await this.mutex.run(instance.id, () => this.step(instance));
      }
    } finally {
      instance.running = false;
      if (instance.dirty && !this.stopping) this.notify(instance.id);
      else if (instance.state && isTerminal(instance.state.runtimeStatus) && instance.queue.length === 0) {
        this.live.delete(instance.id);
      }
    }
  }

  private async step(instance: LiveInstance): Promise<void> {
    const before = [...instance.queue];
    try {
      await this.ensureLoaded(instance);
      const state = instance.state;
      // A disabled orchestrator's work waits, in memory and in storage, for a host that runs it.
      if (state && this.isDisabled(state.name)) return await this.answerSenders(instance, before);
      if (!state || isTerminal(state.runtimeStatus)) {
        const rows = [...storedRowKeys(instance.queue)];
        instance.queue = [];
        if (state && rows.length > 0) await this.store.deleteRows(instance.id, rows);
        return await this.answerSenders(instance, before);
      }
      const result = await runEpisode(this.store, instance, (live, history) => this.replayer(live, history));
      await this.afterEpisode(instance, result);
      await this.answerSenders(instance, before);
    } catch (error) {
      const arrived = instance.queue.filter((w) => !before.includes(w));
      instance.queue = [...before, ...arrived];
      instance.loaded = false;
      this.options.log.error(`episode of instance '${instance.id}' failed; retrying`, error);
      await this.answerSenders(instance, instance.queue);
      setTimeout(() => this.notify(instance.id), this.options.retryDelayMs ?? 500).unref();
    }
  }

  /**
   * Answers the waiting senders of the raised events among `taken` (the queue as an episode found
   * it): an event that left the queue was committed with the episode's history, or dropped with
   * its instance's end; one still queued (held while suspended, or its episode failed) is stored
   * in the inbox first, so it outlives this process, and waits there as any stored message does.
   */
  private async answerSenders(instance: LiveInstance, taken: readonly WorkMessage[]): Promise<void> {
    for (const work of taken) {
      if (work.kind !== "inbox" || !work.sender) continue;
      if (!instance.queue.includes(work)) {
        answerSender(work);
        continue;
      }
      try {
        await this.store.addInbox(instance.id, work.message);
        answerSender(work);
      } catch (error) {
        instance.queue = instance.queue.filter((w) => w !== work);
        answerSender(work, error);
      }
    }
  }

  protected ensureLoaded(instance: LiveInstance): Promise<void> {
    return loadInstance(this.store, instance);
  }

  private async replayer(instance: LiveInstance, history: HistoryEvent[]): Promise<ReplayOutcome> {
    const state = instance.state!;
    const fn = this.options.app.functions.get(state.name);
    if (!fn || fn.trigger.binding.type !== TriggerTypes.orchestration) {
      return failedReplay(`The function '${state.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    try {
      return await replay(this.options.invoker.orchestrator(fn), instance.id, history, state.input, state.parent?.instanceId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failedReplay(`The orchestrator could not be replayed: ${message}`);
    }
  }

  private async afterEpisode(instance: LiveInstance, result: EpisodeResult): Promise<void> {
    const state = instance.state!;
    if (result.previousExecutionId) {
      this.dispatcher.timers.cancelPrefix(`${instance.id}|${result.previousExecutionId}|`);
      instance.dispatched.clear();
      this.deleteExecution(instance.id, result.previousExecutionId);
    }
    if (result.replayed) this.dispatcher.dispatch(instance, result.openTasks);
    if (isTerminal(state.runtimeStatus)) {
      this.dispatcher.timers.cancelPrefix(`${instance.id}|`);
      instance.dispatched.clear();
      this.dispatcher.reportToParent(state);
      const waiting = this.waiters.get(instance.id) ?? [];
      this.waiters.delete(instance.id);
      for (const resolve of waiting) resolve(state);
    }
  }

  /** Starts (or finds) the child of a SubOrchestrationInstanceCreated event; finished children report at once. */
  private async startChild(parent: LiveInstance, taskId: number): Promise<void> {
    const scheduled = parent.scheduled.get(taskId)!;
    const parentState = parent.state!;
    const ref: ParentRef = {
      instanceId: parent.id,
      executionId: parentState.executionId,
      taskScheduledId: taskId,
      name: parentState.name,
    };
    const childId = scheduled.InstanceId!;
    const existing = await this.mutex.run(childId, async () => {
      const child = this.liveInstance(childId);
      await this.ensureLoaded(child);
      const state = child.state;
      if (state && sameParent(state.parent, ref)) return state;
      if (state && !isTerminal(state.runtimeStatus)) {
        throw new DurableRequestError(DurableErrorCode.instanceExists, `An instance with ID '${childId}' already exists.`);
      }
      await this.createInstance(child, scheduled.Name!, scheduled.Input, ref);
      return undefined;
    });
    if (existing && isTerminal(existing.runtimeStatus)) this.dispatcher.reportToParent(existing);
    else if (existing) this.notify(childId);
  }

  /** Whether a raised event can wait in memory for the instance's next episode: it is loaded, running, and will run. */
  protected takesEventsNow(instanceId: string): boolean {
    const instance = this.live.get(instanceId);
    const state = instance?.state;
    if (!instance?.loaded || !state || this.stopping || this.isDisabled(state.name)) return false;
    return state.runtimeStatus === RuntimeStatus.Running || state.runtimeStatus === RuntimeStatus.Pending;
  }

  private isDisabled(functionName: string): boolean {
    return this.options.disabled?.has(functionName) ?? false;
  }

  /**
   * Starts a new execution in place of whatever the partition held (a finished
   * execution, or nothing). Must run under the instance's mutex.
   */
  protected async createInstance(instance: LiveInstance, name: string, input: string | undefined, parent: ParentRef | undefined): Promise<InstanceState> {
    assertOrchestrator(this.options.app, name);
    const previousExecutionId = instance.state?.executionId;
    if (previousExecutionId) {
      const leftovers = await this.store.readInbox(instance.id);
      await this.store.deleteRows(
        instance.id,
        leftovers.map((m) => m.rowKey),
      );
    }
    instance.adopt(newInstanceState(instance.id, name, input, parent, this.options.defaultVersion), true);
    if (this.isDisabled(name)) {
      await this.store.commit({ state: instance.state!, stateChanged: true });
      instance.unsaved = false;
      if (previousExecutionId) this.deleteExecution(instance.id, previousExecutionId);
      return instance.state!;
    }
    // The first episode runs now: its batch writes the state row and ExecutionStarted together,
    // so a restarted instance never shows the new execution with the old one's history.
    let result: EpisodeResult;
    try {
      result = await runEpisode(this.store, instance, (live, history) => this.replayer(live, history));
    } catch (error) {
      instance.loaded = false;
      instance.unsaved = false;
      throw error;
    }
    await this.afterEpisode(instance, result);
    if (previousExecutionId) this.deleteExecution(instance.id, previousExecutionId);
    if (instance.dirty) this.notify(instance.id);
    return instance.state!;
  }

  /** Removes the history of an execution that continue-as-new or a restart replaced. */
  private deleteExecution(instanceId: string, executionId: string): void {
    this.track(
      this.store
        .chunkKeys(instanceId, executionId)
        .then((keys) => this.store.deleteRows(instanceId, keys))
        .catch((error: unknown) => this.options.log.warn(`could not delete old history of '${instanceId}': ${String(error)}`)),
    );
  }
}
