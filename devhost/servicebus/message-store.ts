import { randomUUID } from "node:crypto";
import { odata, TableClient } from "@azure/data-tables";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import { isStatus } from "./dedup-store.js";
import { fromEntity, partitionFor, rowKeyFor, toEntity, type MessageEntity } from "./message-entity.js";
import { MessageState, type LockedMessage, type StoredMessage } from "./message.js";
import type { ResolvedSubscription } from "./topology.js";

export const DeadLetterReason = {
  maxDeliveryCountExceeded: "MaxDeliveryCountExceeded",
} as const;

export interface SubscriptionCounts {
  /** Receivable now or locked by a receiver. */
  active: number;
  /** Waiting for their scheduled enqueue time. */
  scheduled: number;
  deadLettered: number;
}

/** Subscription copies in one table, one partition per subscription; every state change is ETag-conditional. */
export class MessageStore {
  constructor(private readonly table: TableClient) {}

  /** Writes a copy; a copy that already exists (a resumed send) is left as it is. */
  async insert(message: StoredMessage): Promise<void> {
    try {
      await this.table.createEntity(toEntity(message));
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
    }
  }

  /**
   * Locks up to `max` visible messages in sequence order. One whose delivery count is
   * already at the maximum (its last lock expired) is dead-lettered instead.
   */
  async lockNext(sub: ResolvedSubscription, max: number, now = new Date()): Promise<LockedMessage[]> {
    const filter = odata`PartitionKey eq ${partitionFor(sub.topic, sub.name)} and state eq ${MessageState.active} and visibleAt le ${now}`;
    const locked: LockedMessage[] = [];
    const pages = this.table.listEntities<MessageEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: Math.max(max * 2, 10) });
    for await (const page of pages) {
      for (const entity of page) {
        if (locked.length >= max) return locked;
        const message = fromEntity(entity);
        if (message.deliveryCount >= sub.maxDeliveryCount) {
          const description = message.lastError ?? "The message lock expired before it was settled";
          await this.write({ ...message, ...deadLettered(DeadLetterReason.maxDeliveryCountExceeded, description, now) }, entity.etag).catch(ignoreConflict);
          continue;
        }
        const lockedUntil = new Date(now.getTime() + sub.lockDurationMs);
        const next: StoredMessage = {
          ...message,
          deliveryCount: message.deliveryCount + 1,
          lockToken: randomUUID(),
          lockedUntil,
          visibleAt: lockedUntil,
        };
        const etag = await this.write(next, entity.etag).catch(ignoreConflict);
        if (etag) locked.push({ ...next, lockToken: next.lockToken!, lockedUntil, etag });
      }
      // A page with nothing lockable left means others hold the rest; the caller polls again later.
      return locked;
    }
    return locked;
  }

  /** Deletes a message whose lock we still hold; a lock that expired or was taken over is lost. */
  async complete(message: LockedMessage, now = new Date()): Promise<void> {
    this.assertLockHeld(message, now);
    try {
      await this.table.deleteEntity(partitionFor(message.topic, message.subscription), rowKeyFor(message.sequenceNumber), {
        etag: message.etag,
      });
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 404)) throw lockLost(message);
      throw error;
    }
  }

  /** Releases the lock so the message is received again, or dead-letters it when out of deliveries. */
  async abandon(message: LockedMessage, sub: ResolvedSubscription, error?: string, now = new Date()): Promise<void> {
    this.assertLockHeld(message, now);
    const released = { ...unlocked(message), visibleAt: now, ...(error !== undefined ? { lastError: error } : {}) };
    const next =
      message.deliveryCount >= sub.maxDeliveryCount
        ? { ...released, ...deadLettered(DeadLetterReason.maxDeliveryCountExceeded, error ?? released.lastError ?? "", now) }
        : released;
    await this.settle(message, next);
  }

  /** Extends a lock we hold by the subscription's lock duration; returns the message with its new lock. */
  async renewLock(message: LockedMessage, sub: ResolvedSubscription, now = new Date()): Promise<LockedMessage> {
    this.assertLockHeld(message, now);
    const lockedUntil = new Date(now.getTime() + sub.lockDurationMs);
    const next: StoredMessage = { ...message, lockedUntil, visibleAt: lockedUntil };
    try {
      const etag = await this.write(next, message.etag);
      return { ...message, lockedUntil, visibleAt: lockedUntil, etag };
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 404)) throw lockLost(message);
      throw error;
    }
  }

  async deadLetter(message: LockedMessage, reason: string, description: string, now = new Date()): Promise<void> {
    this.assertLockHeld(message, now);
    await this.settle(message, { ...unlocked(message), ...deadLettered(reason, description, now) });
  }

  async list(topic: string, subscription: string, state: MessageState): Promise<StoredMessage[]> {
    const filter = odata`PartitionKey eq ${partitionFor(topic, subscription)} and state eq ${state}`;
    const out: StoredMessage[] = [];
    for await (const entity of this.table.listEntities<MessageEntity>({ queryOptions: { filter } })) out.push(fromEntity(entity));
    return out;
  }

  async get(topic: string, subscription: string, sequenceNumber: number): Promise<{ message: StoredMessage; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<MessageEntity>(partitionFor(topic, subscription), rowKeyFor(sequenceNumber));
      return { message: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Makes a dead letter receivable again with a fresh delivery count; returns it, or undefined if there is none. */
  async replay(topic: string, subscription: string, sequenceNumber: number, now = new Date()): Promise<StoredMessage | undefined> {
    const found = await this.get(topic, subscription, sequenceNumber);
    if (!found || found.message.state !== MessageState.deadLettered) return undefined;
    const {
      deadLetterReason: _r,
      deadLetterErrorDescription: _d,
      deadLetteredAt: _a,
      lastError: _e,
      ...rest
    } = unlocked(found.message);
    const revived: StoredMessage = { ...rest, state: MessageState.active, deliveryCount: 0, visibleAt: now };
    await this.write(revived, found.etag);
    return revived;
  }

  async delete(topic: string, subscription: string, sequenceNumber: number): Promise<void> {
    await this.table.deleteEntity(partitionFor(topic, subscription), rowKeyFor(sequenceNumber)).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
  }

  async counts(topic: string, subscription: string, now = new Date()): Promise<SubscriptionCounts> {
    const filter = odata`PartitionKey eq ${partitionFor(topic, subscription)}`;
    const select = ["state", "deliveryCount", "visibleAt", "scheduledEnqueueTimeUtc"];
    const counts: SubscriptionCounts = { active: 0, scheduled: 0, deadLettered: 0 };
    for await (const entity of this.table.listEntities<MessageEntity>({ queryOptions: { filter, select } })) {
      const scheduledAt = entity.scheduledEnqueueTimeUtc ? new Date(entity.scheduledEnqueueTimeUtc as string) : undefined;
      if (entity.state === MessageState.deadLettered) counts.deadLettered++;
      else if (scheduledAt && scheduledAt > now && Number(entity.deliveryCount) === 0) counts.scheduled++;
      else counts.active++;
    }
    return counts;
  }

  private assertLockHeld(message: LockedMessage, now: Date): void {
    if (message.lockedUntil.getTime() <= now.getTime()) throw lockLost(message);
  }

  private async settle(message: LockedMessage, next: StoredMessage): Promise<void> {
    try {
      await this.write(next, message.etag);
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 404)) throw lockLost(message);
      throw error;
    }
  }

  private async write(message: StoredMessage, etag: string): Promise<string> {
    const response = await this.table.updateEntity(toEntity(message), "Replace", { etag });
    return response.etag ?? "";
  }
}

function unlocked(message: StoredMessage): StoredMessage {
  const { lockToken: _t, lockedUntil: _u, ...rest } = message;
  return rest as StoredMessage;
}

function deadLettered(reason: string, description: string, now: Date): Partial<StoredMessage> {
  return {
    state: MessageState.deadLettered,
    deadLetterReason: reason,
    deadLetterErrorDescription: description,
    deadLetteredAt: now,
    lockToken: undefined,
    lockedUntil: undefined,
  };
}

/** Another receiver changed the message between our read and our write: it is theirs now. */
function ignoreConflict(error: unknown): undefined {
  if (isStatus(error, 412) || isStatus(error, 404)) return undefined;
  throw error;
}

function lockLost(message: StoredMessage): EmulatorError {
  return new EmulatorError(
    EmulatorErrorCode.lockLost,
    `The lock on message ${message.messageId} (sequence ${message.sequenceNumber}) in ${message.topic}/${message.subscription} was lost`,
  );
}
