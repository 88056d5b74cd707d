import { RestError, TableClient } from "@azure/data-tables";
import { nextSequenceNumber } from "./sequence.js";

interface DedupEntity {
  partitionKey: string;
  rowKey: string;
  sequenceNumber: string;
  sentAt: Date;
  committed: boolean;
}

/** What to do with one incoming message. */
export type DedupDecision =
  | { kind: "new"; sequenceNumber: number }
  /** An earlier send of this id never finished writing: finish it with the same sequence number. */
  | { kind: "resume"; sequenceNumber: number }
  | { kind: "duplicate"; sequenceNumber: number };

/**
 * Duplicate detection on messageId per topic. A record is claimed before the copies are
 * written and marked committed after, so a send that crashed half-way is completed by its
 * retry (same sequence number, idempotent copy writes) instead of being dropped as a duplicate.
 */
export class DedupStore {
  constructor(private readonly table: TableClient) {}

  async decide(topic: string, messageId: string, windowMs: number, now: Date): Promise<DedupDecision> {
    const rowKey = Buffer.from(messageId, "utf8").toString("base64url");
    for (;;) {
      const sequenceNumber = nextSequenceNumber();
      const fresh: DedupEntity = { partitionKey: topic, rowKey, sequenceNumber: String(sequenceNumber), sentAt: now, committed: false };
      try {
        await this.table.createEntity(fresh);
        return { kind: "new", sequenceNumber };
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
      }
      let existing;
      try {
        existing = await this.table.getEntity<DedupEntity>(topic, rowKey);
      } catch (error) {
        if (isStatus(error, 404)) continue;
        throw error;
      }
      const withinWindow = now.getTime() - new Date(existing.sentAt).getTime() < windowMs;
      if (withinWindow) {
        const previous = Number(existing.sequenceNumber);
        return existing.committed ? { kind: "duplicate", sequenceNumber: previous } : { kind: "resume", sequenceNumber: previous };
      }
      try {
        await this.table.updateEntity(fresh, "Replace", { etag: existing.etag });
        return { kind: "new", sequenceNumber };
      } catch (error) {
        if (!isStatus(error, 412) && !isStatus(error, 404)) throw error;
      }
    }
  }

  async commit(topic: string, messageId: string): Promise<void> {
    const rowKey = Buffer.from(messageId, "utf8").toString("base64url");
    await this.table.updateEntity({ partitionKey: topic, rowKey, committed: true }, "Merge");
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}
