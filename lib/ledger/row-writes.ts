/**
 * Writes rows of one partition in one request: a single row as a plain insert or conditional
 * replace, several as an entity-group transaction (all or nothing; a stale ETag or an existing
 * row fails the whole batch, 412 or 409, and writes nothing).
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { Entity } from "./mapping.js";
import { submitTransaction } from "../tables/submit-transaction.js";
import { writeEntity } from "../tables/write-entity.js";

export type RowWrite =
  | { kind: "create"; entity: Entity }
  /** Replace (not Merge): the row was read in full, and Replace lets a patch clear a field. */
  | { kind: "update"; entity: Entity; etag: string };

/** A batch holds at most 100 operations. */
export const maxBatchOperations = 100;

/** Writes the rows; returns each written row's new ETag by row key (a row the answer gave none for is missing). */
export async function writeRows(client: TableClient, writes: readonly RowWrite[]): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  if (writes.length === 1) {
    const [write] = writes as [RowWrite];
    const response =
      write.kind === "create"
        ? await writeEntity(client, ["create", write.entity])
        : await writeEntity(client, ["update", write.entity, "Replace", { etag: write.etag }]);
    if (response.etag) etags.set(write.entity.rowKey, response.etag);
    return etags;
  }
  const actions = writes.map((w): TransactionAction => (w.kind === "create" ? ["create", w.entity] : ["update", w.entity, "Replace", { etag: w.etag }]));
  const response = await submitTransaction(client, actions);
  // A changeset's responses come in the order of its requests; an update's response names no row key.
  response.subResponses.forEach((sub, i) => {
    const rowKey = writes[i]?.entity.rowKey;
    if (rowKey !== undefined && sub.etag) etags.set(rowKey, sub.etag);
  });
  return etags;
}
