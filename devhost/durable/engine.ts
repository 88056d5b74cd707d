import { randomUUID } from "node:crypto";
import type { FunctionsLib } from "../functions-lib.js";
import { createInvocationContext, type InputBindingValues } from "../invocation.js";
import type { CapturedApp } from "../loader.js";
import type { Logger } from "../log.js";
import { KeyedMutex, Semaphore } from "../semaphore.js";
import { TriggerTypes } from "./activities.js";
import { Dispatcher } from "./dispatcher.js";
import { DurableErrorCode, DurableRequestError } from "./errors.js";
import { runEpisode, type EpisodeResult } from "./episode.js";
import type { HistoryEvent } from "./history.js";
import { InboxKind, newInboxKey, type WorkMessage } from "./inbox.js";
import { isTerminal, newInstanceState, RuntimeStatus, type InstanceState, type ParentRef } from "./instance-state.js";
import { LiveInstance } from "./live-instance.js";
import { replay, type ReplayOutcome } from "./replay.js";
import { assertInstanceId, assertJson, assertOrchestrator, failedReplay, sameParent } from "./engine-checks.js";
import { loadInstance } from "./load-instance.js";
import type { DurableStore } from "./store.js";

export interface DurableEngineOptions {
  store: DurableStore;
  app: CapturedApp;
  lib: FunctionsLib;
  /** Input binding values for orchestrations and activities (the durable client). */
  inputs: InputBindingValues;
  log: Logger;
  /** Instances whose episodes run at the same time. @default 10 */
  maxConcurrentOrchestrations?: number;
  /** Activities running at the same time. @default 10 */
  maxConcurrentActivities?: number;
  /** Pause before retrying an episode that failed on storage. @default 500 */
  retryDelayMs?: number;
  /**
   * Orchestrators and activities that are scheduled but never run
   * (`AzureWebJobs.<name>.Disabled`). @default none
   */
  disabled?: ReadonlySet<string>;
}

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input. */
  input?: string;
}


/**
 * devhost's Durable Task engine. Orchestrators are replayed by the
 * `durable-functions` executor; the engine persists history (see
 * {@link DurableStore}), runs episodes one at a time per instance, and carries
 * out what they schedule: activities (bounded concurrency), durable timers and
 * sub-orchestrations. Work is woken in-process; storage is read only on first
 * touch of an instance and at recovery, when every unfinished instance is
 * replayed and its open tasks dispatched again (at-least-once activities;
 * completions are deduplicated by task id).
 */
export class DurableEngine {
  private readonly live = new Map<string, LiveInstance>();
  private readonly mutex = new KeyedMutex();
  private readonly orchestrationSlots: Semaphore;
  private readonly dispatcher: Dispatcher;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly waiters = new Map<string, Array<(state: InstanceState) => void>>();
  private stopping = false;

  constructor(private readonly options: DurableEngineOptions) {
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
    const unfinished = await this.store.listStates([
      RuntimeStatus.Pending,
      RuntimeStatus.Running,
      RuntimeStatus.Suspended,
      RuntimeStatus.ContinuedAsNew,
    ]);
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
  }

  // ---- client operations -------------------------------------------------

  /**
   * Creates the instance and returns while it is still Pending, as the
   * extension does: its first episode runs in the background. An id storage
   * has never seen costs one insert; an id in use goes through the full check.
   */
  async startNew(name: string, options: StartOptions = {}): Promise<InstanceState> {
    const instanceId = options.instanceId ?? randomUUID().replaceAll("-", "");
    assertInstanceId(instanceId);
    if (options.input !== undefined) assertJson(options.input, "input");
    assertOrchestrator(this.options.app, name);
    return this.mutex.run(instanceId, async () => {
      const instance = this.liveInstance(instanceId);
      if (!instance.loaded) {
        const state = newInstanceState(instanceId, name, options.input, undefined);
        if (await this.store.insertState(state)) {
          instance.adopt(state, false);
          this.notify(instanceId);
          return state;
        }
      }
      await this.ensureLoaded(instance);
      if (instance.state && !isTerminal(instance.state.runtimeStatus)) {
        throw new DurableRequestError(
          DurableErrorCode.instanceExists,
          `An instance with ID '${instanceId}' already exists and is ${instance.state.runtimeStatus}.`,
        );
      }
      return this.createInstance(instance, name, options.input, undefined);
    });
  }

  async raiseEvent(instanceId: string, eventName: string, input: string | undefined): Promise<void> {
    if (!eventName) throw new DurableRequestError(DurableErrorCode.invalidRequest, "An event name is required");
    if (input !== undefined) assertJson(input, "event data");
    await this.sendInbox(instanceId, InboxKind.event, { name: eventName, ...(input !== undefined ? { input } : {}) });
  }

  async terminate(instanceId: string, reason: string | undefined): Promise<void> {
    await this.sendInbox(instanceId, InboxKind.terminate, reason !== undefined ? { reason } : {});
  }

  async suspend(instanceId: string, reason: string | undefined): Promise<void> {
    await this.sendInbox(instanceId, InboxKind.suspend, reason !== undefined ? { reason } : {});
  }

  async resume(instanceId: string, reason: string | undefined): Promise<void> {
    await this.sendInbox(instanceId, InboxKind.resume, reason !== undefined ? { reason } : {});
  }

  async getState(instanceId: string): Promise<InstanceState | undefined> {
    const instance = this.live.get(instanceId);
    if (instance?.loaded) return instance.state;
    return this.store.readState(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const instance = this.live.get(instanceId);
    if (instance?.loaded && instance.state) return [...instance.history];
    const state = await this.store.readState(instanceId);
    return state ? (await this.store.readHistory(instanceId, state.executionId)).events : [];
  }

  async list(statuses?: RuntimeStatus[]): Promise<InstanceState[]> {
    // Stored rows may lag (Pending → Running); live instances have the current state.
    const stored = await this.store.listStates();
    const states = stored.map((s) => {
      const live = this.live.get(s.instanceId);
      return live?.loaded && live.state ? live.state : s;
    });
    return states.filter((s) => !statuses || statuses.includes(s.runtimeStatus));
  }

  /** Deletes a finished instance's history and state. */
  async purge(instanceId: string): Promise<boolean> {
    return this.mutex.run(instanceId, async () => {
      const state = await this.getState(instanceId);
      if (!state) return false;
      if (!isTerminal(state.runtimeStatus)) {
        throw new DurableRequestError(
          DurableErrorCode.instanceRunning,
          `Instance '${instanceId}' is ${state.runtimeStatus}; only completed, failed or terminated instances can be purged.`,
        );
      }
      await this.store.purge(instanceId);
      this.live.delete(instanceId);
      return true;
    });
  }

  /** Resolves once the instance is completed, failed or terminated. */
  async whenFinished(instanceId: string): Promise<InstanceState> {
    const state = await this.getState(instanceId);
    if (state && isTerminal(state.runtimeStatus)) return state;
    return new Promise((resolve) => {
      const list = this.waiters.get(instanceId) ?? [];
      list.push(resolve);
      this.waiters.set(instanceId, list);
    });
  }

  /** Durable timers armed in memory for an instance (a cancelled timer is disarmed). */
  armedTimers(instanceId: string): number {
    return this.dispatcher.timers.countPrefix(`${instanceId}|`);
  }

  /** Resolves once the instance has no episode running or pending (held messages of a suspended instance may remain). */
  async whenIdle(instanceId: string): Promise<void> {
    for (;;) {
      const instance = this.live.get(instanceId);
      if (!instance || (!instance.running && !instance.dirty)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // ---- scheduling ---------------------------------------------------------

  private liveInstance(instanceId: string): LiveInstance {
    let instance = this.live.get(instanceId);
    if (!instance) {
      instance = new LiveInstance(instanceId);
      this.live.set(instanceId, instance);
    }
    return instance;
  }

  private notify(instanceId: string, work?: WorkMessage): void {
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
      if (state && this.isDisabled(state.name)) return;
      if (!state || isTerminal(state.runtimeStatus)) {
        const rows = instance.queue.flatMap((w) => (w.kind === "inbox" ? [w.message.rowKey] : []));
        instance.queue = [];
        if (state && rows.length > 0) await this.store.deleteRows(instance.id, rows);
        return;
      }
      const result = await runEpisode(this.store, instance, (live, history) => this.replayer(live, history));
      await this.afterEpisode(instance, result);
    } catch (error) {
      const arrived = instance.queue.filter((w) => !before.includes(w));
      instance.queue = [...before, ...arrived];
      instance.loaded = false;
      this.options.log.error(`episode of instance '${instance.id}' failed; retrying`, error);
      setTimeout(() => this.notify(instance.id), this.options.retryDelayMs ?? 500).unref();
    }
  }

  private ensureLoaded(instance: LiveInstance): Promise<void> {
    return loadInstance(this.store, instance);
  }

  private async replayer(instance: LiveInstance, history: HistoryEvent[]): Promise<ReplayOutcome> {
    const state = instance.state!;
    const fn = this.options.app.functions.get(state.name);
    if (!fn || fn.trigger.binding.type !== TriggerTypes.orchestration) {
      return failedReplay(`The function '${state.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const context = createInvocationContext(this.options.lib, fn, this.options.log, this.options.inputs);
    try {
      return await replay(fn, context, instance.id, history, state.input, state.parent?.instanceId);
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

  private isDisabled(functionName: string): boolean {
    return this.options.disabled?.has(functionName) ?? false;
  }

  /**
   * Starts a new execution in place of whatever the partition held (a finished
   * execution, or nothing). Must run under the instance's mutex.
   */
  private async createInstance(
    instance: LiveInstance,
    name: string,
    input: string | undefined,
    parent: ParentRef | undefined,
  ): Promise<InstanceState> {
    assertOrchestrator(this.options.app, name);
    const previousExecutionId = instance.state?.executionId;
    if (previousExecutionId) {
      const leftovers = await this.store.readInbox(instance.id);
      await this.store.deleteRows(instance.id, leftovers.map((m) => m.rowKey));
    }
    instance.adopt(newInstanceState(instance.id, name, input, parent), true);
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

  private async sendInbox(instanceId: string, kind: InboxKind, fields: { name?: string; input?: string; reason?: string }) {
    const state = await this.getState(instanceId);
    if (!state) throw new DurableRequestError(DurableErrorCode.instanceNotFound, `No instance with ID '${instanceId}' found.`);
    if (isTerminal(state.runtimeStatus)) {
      throw new DurableRequestError(DurableErrorCode.instanceCompleted, `Instance '${instanceId}' is ${state.runtimeStatus}.`);
    }
    const message = { rowKey: newInboxKey(), kind, ...fields, at: new Date().toISOString() };
    await this.store.addInbox(instanceId, message);
    this.notify(instanceId, { kind: "inbox", message });
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
