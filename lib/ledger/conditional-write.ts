/**
 * Read → decide → write-if-unchanged. Every ledger update goes through here:
 * the write carries the ETag that was read, a 412 means someone else wrote in
 * between, so the row is read again and the decision made again (the decision
 * may now be a rejection). With `ifMatch` the caller has already decided on an
 * earlier read, so a changed row is a {@link StaleEtagError} instead.
 */
import type { TableClient } from "@azure/data-tables";
import { ConcurrentUpdateError, NotFoundError, StaleEtagError } from "./errors.js";
import type { Entity } from "./mapping.js";
import { isPreconditionFailed } from "./tables.js";
import { sleep } from "./context.js";

export interface ConditionalWrite<T extends { etag: string }, R> {
  entity: "job" | "step";
  id: string;
  client: TableClient;
  read: () => Promise<T | undefined>;
  /** Returns the full new row, or throws a typed rejection; must not write. */
  decide: (current: T) => { row: Entity; result: (etag: string) => R };
  ifMatch?: string | undefined;
  maxAttempts: number;
}

export async function writeConditionally<T extends { etag: string }, R>(
  op: ConditionalWrite<T, R>,
): Promise<{ before: T; after: R }> {
  for (let attempt = 1; attempt <= op.maxAttempts; attempt++) {
    const current = await op.read();
    if (!current) throw new NotFoundError(op.entity, op.id);
    if (op.ifMatch !== undefined && current.etag !== op.ifMatch) throw new StaleEtagError(op.entity, op.id);
    const { row, result } = op.decide(current);
    try {
      // Replace rather than Merge: the row was read in full, and Replace lets a patch clear a field.
      const { etag } = await op.client.updateEntity(row, "Replace", { etag: current.etag });
      return { before: current, after: result(etag ?? "") };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      if (op.ifMatch !== undefined) throw new StaleEtagError(op.entity, op.id);
      // Jitter spreads writers that collided so the next round is not a repeat.
      await sleep(Math.floor(Math.random() * 5 * attempt));
    }
  }
  throw new ConcurrentUpdateError(op.entity, op.id, op.maxAttempts);
}
