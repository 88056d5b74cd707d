/**
 * Table Storage limits, checked before a write so an oversized row fails with
 * a clear {@link EntityTooLargeError} instead of an opaque 400 from the service.
 */
import { EntityTooLargeError } from "./errors.js";

/** Per string property: 64 KiB of UTF-16. */
export const maxStringBytes = 64 * 1024;
/** Per entity, all properties and keys included. */
export const maxEntityBytes = 1024 * 1024;
/** JSON text is split into properties of this many UTF-16 units (under {@link maxStringBytes}). */
export const jsonChunkChars = 30_000;
/** Chunks a single JSON field may span: enough for a 256 KiB command payload, well under the entity limit. */
export const maxJsonChunks = 12;

/** Size as the service counts it (per the Table Storage data model). */
export function entityBytes(entity: Record<string, unknown>): number {
  let total = 4;
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined || value === null || name === "etag") continue;
    if (name === "partitionKey" || name === "rowKey") {
      total += String(value).length * 2;
      continue;
    }
    total += 8 + name.length * 2;
    if (typeof value === "string") {
      const bytes = value.length * 2;
      if (bytes > maxStringBytes) throw new EntityTooLargeError(name, bytes, maxStringBytes);
      total += 4 + bytes;
    } else {
      total += 8;
    }
  }
  return total;
}

export function assertEntitySize(entity: Record<string, unknown>): void {
  const bytes = entityBytes(entity);
  if (bytes > maxEntityBytes) throw new EntityTooLargeError(undefined, bytes, maxEntityBytes);
}
