import { odata, TableClient, type TableTransactionEntityResponse, type TransactionAction } from "@azure/data-tables";
import { submitTransaction } from "../../lib/tables/submit-transaction.js";
import { isStatus } from "./errors.js";
import { copyRange, dedupRowKeyFor, entitySize, fromEntity, partitionFor, rowKeyFor, toEntity, type MessageEntity } from "./message-entity.js";
import { MessageState, type StoredMessage } from "./message.js";
import { nextSequenceNumber } from "./sequence.js";
import { maxBatchBytes, maxBatchOperations, TransactionGroups } from "./transaction-groups.js";
import { writeEntity } from "../../lib/tables/write-entity.js";

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

/** A copy as stored, with the version its last write left (settling is conditional on it). */
export interface StoredCopy {
  message: StoredMessage;
  etag: string;
}

/** What a send stored: its copies, or nothing because the messageId was seen within the window. */
export type SendWrite = { kind: "stored"; sequenceNumber: number; copies: StoredCopy[] } | { kind: "duplicate"; sequenceNumber: number };

interface DedupEntity {
  partitionKey: string;
  rowKey: string;
  sequenceNumber: string;
  sentAt: Date;
  /** false only while a send too large for one transaction is still writing its copies. */
  committed: boolean;
  etag?: string;
}

/**
 * The emulator's one table. A partition per topic holds, per matching subscription, a copy of
 * each message (`c~{subscription}~{sequence}`) and each messageId's duplicate-detection record
 * (`d~{id}`), so a send is one entity-group transaction: the copies and the record are written
 * together or not at all. Locks are not stored (see SubscriptionQueues). Sends and removals that
 * meet in a partition share a transaction (see TransactionGroups), each still answered alone.
 */
export class MessageStore {
  private readonly groups: TransactionGroups;

  constructor(private readonly table: TableClient) {
    this.groups = new TransactionGroups(table);
  }

  /**
   * Stores a send. `build` makes the copies for a sequence number; with `dedup` the messageId's
   * record goes into the same transaction, and a record already there within the window makes
   * the send a duplicate. A send too large for one transaction writes its record uncommitted
   * with the first part and commits it after the last, so its retry finishes it.
   */
  async send(
    topic: string,
    build: (sequenceNumber: number) => StoredMessage[],
    dedup?: { messageId: string; windowMs: number; now: Date },
  ): Promise<SendWrite> {
    let replacing: string | undefined;
    for (;;) {
      const sequenceNumber = nextSequenceNumber();
      const messages = build(sequenceNumber);
      const entities = messages.map(toEntity);
      const groups = batches(entities, dedup ? 1 : 0);
      const record: DedupEntity | undefined = dedup && {
        partitionKey: partitionFor(topic),
        rowKey: dedupRowKeyFor(dedup.messageId),
        sequenceNumber: String(sequenceNumber),
        sentAt: dedup.now,
        committed: groups.length <= 1,
      };
      try {
        const etags = await this.writeGroups(groups, record, replacing);
        if (record && !record.committed)
          await writeEntity(this.table, ["update", { partitionKey: record.partitionKey, rowKey: record.rowKey, committed: true }, "Merge"]);
        return { kind: "stored", sequenceNumber, copies: messages.map((message, i) => ({ message, etag: etags[i] ?? "*" })) };
      } catch (error) {
        // Only the first transaction holds the record: a conflict there means the id was seen.
        if (!record || ![409, 412, 404].some((status) => isStatus(error, status))) throw error;
      }
      const existing = await this.dedupRecord(topic, dedup!.messageId);
      if (!existing) {
        replacing = undefined;
        continue;
      }
      const previous = Number(existing.sequenceNumber);
      if (dedup!.now.getTime() - new Date(existing.sentAt).getTime() >= dedup!.windowMs) {
        replacing = existing.etag;
        continue;
      }
      if (existing.committed) return { kind: "duplicate", sequenceNumber: previous };
      return this.resume(topic, build(previous), dedup!.messageId, previous);
    }
  }

  /** Finishes a send that stopped between its transactions: the copies it missed, then its record. */
  private async resume(topic: string, copies: StoredMessage[], messageId: string, sequenceNumber: number): Promise<SendWrite> {
    const stored: StoredCopy[] = [];
    for (const copy of copies) {
      const entity = toEntity(copy);
      try {
        const written = await writeEntity(this.table, ["create", entity]);
        stored.push({ message: copy, etag: written.etag ?? "*" });
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
        const found = await this.get(copy.topic, copy.subscription, sequenceNumber);
        if (found) stored.push(found);
      }
    }
    await writeEntity(this.table, ["update", { partitionKey: partitionFor(topic), rowKey: dedupRowKeyFor(messageId), committed: true }, "Merge"]);
    return { kind: "stored", sequenceNumber, copies: stored };
  }

  private async writeGroups(groups: MessageEntity[][], record: DedupEntity | undefined, replacing: string | undefined): Promise<string[]> {
    const etags: string[] = [];
    if (groups.length === 0 && record) groups = [[]];
    for (const [index, group] of groups.entries()) {
      const actions: TransactionAction[] = group.map((entity) => ["create", entity]);
      if (index === 0 && record) {
        const { etag: _e, ...row } = record;
        actions.push(replacing ? ["update", row, "Replace", { etag: replacing }] : ["create", row]);
      }
      // A send that fits one transaction may share it; the parts of a larger one go out in order.
      const alone = async () => (await submitTransaction(this.table, actions)).subResponses;
      const subResponses: TableTransactionEntityResponse[] =
        groups.length === 1
          ? await this.groups.submit(partitionOf(actions), {
              actions,
              bytes: group.reduce((sum, entity) => sum + entitySize(entity), 0),
              alone,
              fromShared: (shared) => shared,
            })
          : await alone();
      // Sub-responses come in the order of the operations; the record's, if any, is last.
      for (let i = 0; i < group.length; i++) etags.push(subResponses[i]?.etag ?? "*");
    }
    return etags;
  }

  private async dedupRecord(topic: string, messageId: string): Promise<DedupEntity | undefined> {
    try {
      return await this.table.getEntity<DedupEntity>(partitionFor(topic), dedupRowKeyFor(messageId));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Every receivable copy of a topic, in sequence order per subscription: what a starting process delivers. */
  async active(topic: string): Promise<StoredCopy[]> {
    const { ge, lt } = copyRange();
    const filter = odata`PartitionKey eq ${partitionFor(topic)} and RowKey ge ${ge} and RowKey lt ${lt} and state eq ${MessageState.active}`;
    const out: StoredCopy[] = [];
    for await (const entity of this.table.listEntities<MessageEntity>({ queryOptions: { filter } }))
      out.push({ message: fromEntity(entity), etag: entity.etag ?? "*" });
    return out;
  }

  /** Replaces a copy we hold; returns its new version. A 412 or 404 means it changed or went meanwhile. */
  async replace(message: StoredMessage, etag: string): Promise<string> {
    const response = await writeEntity(this.table, ["update", toEntity(message), "Replace", { etag }]);
    return response.etag ?? "*";
  }

  /** Deletes a copy; false when it was already gone or (written alone) changed since `etag`. */
  async remove(message: StoredMessage, etag = "*"): Promise<boolean> {
    const partitionKey = partitionFor(message.topic);
    const rowKey = rowKeyFor(message.subscription, message.sequenceNumber);
    try {
      return await this.groups.submit(partitionKey, {
        actions: [["delete", { partitionKey, rowKey }]],
        bytes: 0,
        alone: async () => (await writeEntity(this.table, ["delete", { partitionKey, rowKey }, { etag }]), true),
        fromShared: () => true,
      });
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 404)) return false;
      throw error;
    }
  }

  async list(topic: string, subscription: string, state: MessageState): Promise<StoredMessage[]> {
    const { ge, lt } = copyRange(subscription);
    const filter = odata`PartitionKey eq ${partitionFor(topic)} and RowKey ge ${ge} and RowKey lt ${lt} and state eq ${state}`;
    const out: StoredMessage[] = [];
    for await (const entity of this.table.listEntities<MessageEntity>({ queryOptions: { filter } })) out.push(fromEntity(entity));
    return out;
  }

  async get(topic: string, subscription: string, sequenceNumber: number): Promise<StoredCopy | undefined> {
    try {
      const entity = await this.table.getEntity<MessageEntity>(partitionFor(topic), rowKeyFor(subscription, sequenceNumber));
      return { message: fromEntity(entity), etag: entity.etag ?? "*" };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async counts(topic: string, subscription: string, now = new Date()): Promise<SubscriptionCounts> {
    const { ge, lt } = copyRange(subscription);
    const filter = odata`PartitionKey eq ${partitionFor(topic)} and RowKey ge ${ge} and RowKey lt ${lt}`;
    const select = ["state", "deliveryCount", "scheduledEnqueueTimeUtc"];
    const counts: SubscriptionCounts = { active: 0, scheduled: 0, deadLettered: 0 };
    for await (const entity of this.table.listEntities<MessageEntity>({ queryOptions: { filter, select } })) {
      const scheduledAt = entity.scheduledEnqueueTimeUtc ? new Date(entity.scheduledEnqueueTimeUtc as string) : undefined;
      if (entity.state === MessageState.deadLettered) counts.deadLettered++;
      else if (scheduledAt && scheduledAt > now && Number(entity.deliveryCount) === 0) counts.scheduled++;
      else counts.active++;
    }
    return counts;
  }
}

function partitionOf(actions: TransactionAction[]): string {
  return actions[0]![1].partitionKey;
}

/** Splits copies into transactions within the service's limits, keeping `reserved` operations free in the first. */
function batches(entities: MessageEntity[], reserved: number): MessageEntity[][] {
  const groups: MessageEntity[][] = [];
  let current: MessageEntity[] = [];
  let bytes = 0;
  let room = maxBatchOperations - reserved;
  for (const entity of entities) {
    const size = entitySize(entity);
    if (current.length > 0 && (current.length >= room || bytes + size > maxBatchBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
      room = maxBatchOperations;
    }
    current.push(entity);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
