import { randomUUID } from "node:crypto";
import { EmulatorError, EmulatorErrorCode, isStatus } from "./errors.js";
import { DeadLetterReason, type MessageStore, type StoredCopy } from "./message-store.js";
import { MessageState, type LockedMessage, type StoredMessage } from "./message.js";
import type { ResolvedSubscription } from "./topology.js";

/** One receivable copy as this process knows it. */
interface Entry {
  /** `deliveryCount` counts the deliveries so far, the one in progress included. */
  message: StoredMessage;
  /** The delivery count as last written. */
  stored: number;
  etag: string;
  /** Held in memory only: a lock need not outlive the process holding it. */
  lock?: { token: string; until: Date };
  /** A write or delete of it is in flight; nobody may lock or settle it meanwhile. */
  busy: boolean;
}

const lockExpired = "The message lock expired before it was settled";

/**
 * The receivable copies of every subscription, in memory, in sequence order: loaded from
 * storage when the emulator starts, then kept by this process's own sends and settlements,
 * so receiving reads no storage. Locks live here too. Storage is written when a message is
 * sent, completed, abandoned or dead-lettered, and when a message whose lock expired is
 * locked again (its delivery count, so a crash does not lose it); the first delivery of a
 * message, and a lock renewal, write nothing.
 */
export class SubscriptionQueues {
  private readonly queues = new Map<string, Entry[]>();

  constructor(private readonly store: MessageStore) {}

  /** Adds a stored copy; one already known (a resumed send) is left as it is. */
  add(copy: StoredCopy): void {
    const queue = this.queue(copy.message.topic, copy.message.subscription);
    const entry: Entry = { message: copy.message, stored: copy.message.deliveryCount, etag: copy.etag, busy: false };
    const last = queue.at(-1);
    if (!last || last.message.sequenceNumber < copy.message.sequenceNumber) {
      queue.push(entry);
      return;
    }
    const at = indexOf(queue, copy.message.sequenceNumber);
    if (queue[at]?.message.sequenceNumber !== copy.message.sequenceNumber) queue.splice(at, 0, entry);
  }

  /**
   * Locks up to `max` visible messages in sequence order. One whose delivery count is
   * already at the maximum (its last lock expired) is dead-lettered instead.
   */
  async lockNext(sub: ResolvedSubscription, max: number, now = new Date()): Promise<LockedMessage[]> {
    const locked: LockedMessage[] = [];
    const writes: Promise<void>[] = [];
    // Times as numbers: comparing two Dates costs a conversion of each, 40 times a number's compare.
    const nowMs = now.getTime();
    // No copy: nothing leaves the queue before the loop ends (writes settle after it).
    for (const entry of this.queue(sub.topic, sub.name)) {
      if (locked.length >= max) break;
      if (entry.busy || entry.message.visibleAt.getTime() > nowMs || (entry.lock && entry.lock.until.getTime() > nowMs)) continue;
      if (entry.message.deliveryCount >= sub.maxDeliveryCount) {
        const description = entry.message.lastError ?? lockExpired;
        writes.push(this.deadLetterEntry(entry, DeadLetterReason.maxDeliveryCountExceeded, description, now).catch(() => undefined));
        continue;
      }
      const lapsed = entry.lock !== undefined;
      const lock = { token: randomUUID(), until: new Date(now.getTime() + sub.lockDurationMs) };
      const previous = entry.message;
      entry.message = { ...previous, deliveryCount: previous.deliveryCount + 1 };
      entry.lock = lock;
      const view = lockedView(entry);
      if (!lapsed) {
        locked.push(view);
        continue;
      }
      // A delivery of ours ended by lock expiry: record the count before delivering again.
      entry.busy = true;
      writes.push(
        this.store.replace(entry.message, entry.etag).then(
          (etag) => {
            Object.assign(entry, { etag, stored: entry.message.deliveryCount, busy: false });
            locked.push(view);
          },
          (error: unknown) => {
            if (isStatus(error, 404) || isStatus(error, 412)) return this.drop(entry);
            Object.assign(entry, { message: previous, busy: false });
            entry.lock = undefined;
          },
        ),
      );
    }
    await Promise.all(writes);
    return locked.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  }

  /** When something of the subscription next becomes receivable (a schedule time or a lock's end), if ever. */
  nextWake(sub: ResolvedSubscription, now = new Date()): Date | undefined {
    let next: number | undefined;
    for (const entry of this.queue(sub.topic, sub.name)) {
      if (entry.busy) continue;
      const at = Math.max(entry.message.visibleAt.getTime(), entry.lock?.until.getTime() ?? 0);
      if (at > now.getTime() && (next === undefined || at < next)) next = at;
    }
    return next === undefined ? undefined : new Date(next);
  }

  /** Deletes a message whose lock we still hold; a lock that expired or was taken over is lost. */
  async complete(message: LockedMessage, now = new Date()): Promise<void> {
    const entry = this.held(message, now);
    entry.busy = true;
    let removed: boolean;
    try {
      removed = await this.store.remove(entry.message, entry.etag);
    } catch (error) {
      entry.busy = false;
      throw error;
    }
    this.drop(entry);
    if (!removed) throw lockLost(message);
  }

  /** Releases the lock so the message is received again, or dead-letters it when out of deliveries. */
  async abandon(message: LockedMessage, sub: ResolvedSubscription, error?: string, now = new Date()): Promise<void> {
    const entry = this.held(message, now);
    const lastError = error ?? entry.message.lastError;
    if (entry.message.deliveryCount >= sub.maxDeliveryCount) {
      return this.deadLetterEntry(entry, DeadLetterReason.maxDeliveryCountExceeded, lastError ?? "", now, lastError);
    }
    const next: StoredMessage = { ...entry.message, visibleAt: now, ...(lastError !== undefined ? { lastError } : {}) };
    const etag = await this.write(entry, next, message);
    Object.assign(entry, { message: next, etag, stored: next.deliveryCount });
    entry.lock = undefined;
  }

  /** Extends a lock we hold by the subscription's lock duration; returns the message with its new lock. */
  renewLock(message: LockedMessage, sub: ResolvedSubscription, now = new Date()): LockedMessage {
    const entry = this.held(message, now);
    entry.lock = { token: entry.lock!.token, until: new Date(now.getTime() + sub.lockDurationMs) };
    return { ...message, lockedUntil: entry.lock.until };
  }

  async deadLetter(message: LockedMessage, reason: string, description: string, now = new Date()): Promise<void> {
    await this.deadLetterEntry(this.held(message, now), reason, description, now);
  }

  private async deadLetterEntry(entry: Entry, reason: string, description: string, now: Date, lastError?: string): Promise<void> {
    const letter: StoredMessage = {
      ...entry.message,
      ...(lastError !== undefined ? { lastError } : {}),
      state: MessageState.deadLettered,
      deadLetterReason: reason,
      deadLetterErrorDescription: description,
      deadLetteredAt: now,
    };
    await this.write(entry, letter, entry.message);
    this.drop(entry);
  }

  /** Writes a settlement of a held entry; a copy changed or gone meanwhile (another process) is dropped. */
  private async write(entry: Entry, next: StoredMessage, message: StoredMessage): Promise<string> {
    entry.busy = true;
    try {
      const etag = await this.store.replace(next, entry.etag);
      entry.busy = false;
      return etag;
    } catch (error) {
      entry.busy = false;
      if (isStatus(error, 404) || isStatus(error, 412)) {
        this.drop(entry);
        throw lockLost(message);
      }
      throw error;
    }
  }

  private held(message: LockedMessage, now: Date): Entry {
    const queue = this.queue(message.topic, message.subscription);
    const entry = queue[indexOf(queue, message.sequenceNumber)];
    const lock = entry?.message.sequenceNumber === message.sequenceNumber ? entry.lock : undefined;
    if (!entry || !lock || entry.busy || lock.token !== message.lockToken || lock.until.getTime() <= now.getTime()) throw lockLost(message);
    return entry;
  }

  private drop(entry: Entry): void {
    const queue = this.queue(entry.message.topic, entry.message.subscription);
    const at = queue.indexOf(entry);
    if (at >= 0) queue.splice(at, 1);
  }

  private queue(topic: string, subscription: string): Entry[] {
    const key = `${topic}/${subscription}`;
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = []));
    return queue;
  }
}

/** A delivery's own copy of the message, so a handler that changes its body changes nothing stored. */
function lockedView(entry: Entry): LockedMessage {
  return { ...entry.message, body: structuredClone(entry.message.body), lockToken: entry.lock!.token, lockedUntil: entry.lock!.until };
}

/** The position of `sequenceNumber` in a queue sorted by it, or where it would go. */
function indexOf(queue: Entry[], sequenceNumber: number): number {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (queue[mid]!.message.sequenceNumber < sequenceNumber) low = mid + 1;
    else high = mid;
  }
  return low;
}

function lockLost(message: StoredMessage): EmulatorError {
  return new EmulatorError(
    EmulatorErrorCode.lockLost,
    `The lock on message ${message.messageId} (sequence ${message.sequenceNumber}) in ${message.topic}/${message.subscription} was lost`,
  );
}
