import { isTerminal, RuntimeStatus } from "./instance-state.js";
import type { WorkMessage } from "./inbox.js";
import type { LiveInstance } from "./live-instance.js";
import type { DurableStore } from "./store.js";

/**
 * Brings an instance into memory on first touch (or after a failed episode):
 * its state, the current execution's history and the inbox messages not yet
 * queued. An instance storage has never seen is loaded as empty.
 */
export async function loadInstance(store: DurableStore, instance: LiveInstance): Promise<void> {
  if (instance.loaded) return;
  const state = await store.readState(instance.id);
  if (!state) {
    instance.reset(undefined);
    instance.loaded = true;
    return;
  }
  const [{ events, consumed, nextChunk, lastUpdated }, inbox] = await Promise.all([
    store.readHistory(instance.id, state.executionId),
    store.readInbox(instance.id),
  ]);
  state.chunkCount = Math.max(state.chunkCount, nextChunk);
  if (state.runtimeStatus === RuntimeStatus.Pending && events.length > 0) state.runtimeStatus = RuntimeStatus.Running;
  if (lastUpdated && lastUpdated > state.lastUpdatedTime) state.lastUpdatedTime = lastUpdated;
  instance.reset(state, events, consumed);
  const queued = new Set(instance.queue.flatMap((w) => (w.kind === "inbox" ? [w.message.rowKey] : [])));
  const stored: WorkMessage[] = inbox.filter((m) => !queued.has(m.rowKey)).map((message) => ({ kind: "inbox", message }));
  instance.queue = [...stored, ...instance.queue];
  instance.dispatched.clear();
  instance.needsReplay = events.length > 0 && !isTerminal(state.runtimeStatus);
  instance.loaded = true;
  if (stored.length > 0) instance.dirty = true;
}
