import { randomUUID } from "node:crypto";
import { DurableErrorCode, DurableRequestError } from "./errors.js";
import { EngineCore } from "./engine-core.js";
import type { HistoryEvent } from "./history.js";
import { InboxKind, newInboxKey } from "./inbox.js";
import { isTerminal, newInstanceState, type RuntimeStatus, type InstanceState } from "./instance-state.js";
import { assertInstanceId, assertJson, assertOrchestrator } from "./engine-checks.js";

export type { DurableEngineOptions } from "./engine-core.js";

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
export class DurableEngine extends EngineCore {
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
        const state = newInstanceState(instanceId, name, options.input, undefined, this.options.defaultVersion);
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

  private async sendInbox(instanceId: string, kind: InboxKind, fields: { name?: string; input?: string; reason?: string }) {
    const state = await this.getState(instanceId);
    if (!state) throw new DurableRequestError(DurableErrorCode.instanceNotFound, `No instance with ID '${instanceId}' found.`);
    if (isTerminal(state.runtimeStatus)) {
      throw new DurableRequestError(DurableErrorCode.instanceCompleted, `Instance '${instanceId}' is ${state.runtimeStatus}.`);
    }
    const message = { rowKey: newInboxKey(), kind, ...fields, at: new Date().toISOString() };
    if (kind === InboxKind.event && this.takesEventsNow(instanceId)) {
      // The next episode records the event in history; the caller is answered once that is
      // committed, so the inbox row (and its deletion) is never written.
      await new Promise<void>((resolve, reject) => {
        const sender = { answer: (error?: unknown) => (error === undefined ? resolve() : reject(error)) };
        this.notify(instanceId, { kind: "inbox", message, sender });
      });
      return;
    }
    await this.store.addInbox(instanceId, message);
    this.notify(instanceId, { kind: "inbox", message });
  }
}
