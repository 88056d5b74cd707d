/**
 * Table keys. Everything that becomes a PartitionKey/RowKey goes through
 * here, so characters Table Storage forbids in keys (/ \ # ? and control
 * characters) never reach it, and no two distinct values share a key.
 */
import { createHash, randomBytes } from "node:crypto";
import { InvalidKeyError } from "./errors.js";

/** Characters kept verbatim; everything else (including `!` and `|`) is escaped, so escaping is injective. */
const verbatim = /^[A-Za-z0-9_.~:@=+,;$&'()*-]$/;
/** Keys may be 1 KiB; leave room for the prefixes and suffixes added below. */
const maxKeyPart = 400;

/** Escapes one value for use inside a key: unsafe UTF-16 units become `!xxxx` (hex). */
export function keyPart(value: string, what: string): string {
  if (value.length === 0) throw new InvalidKeyError(what, "must not be empty");
  let out = "";
  for (const ch of value) {
    if (verbatim.test(ch)) out += ch;
    else for (let i = 0; i < ch.length; i++) out += "!" + ch.charCodeAt(i).toString(16).padStart(4, "0");
  }
  if (out.length > maxKeyPart) throw new InvalidKeyError(what, `too long once escaped (${out.length} > ${maxKeyPart})`);
  return out;
}

/** Milliseconds are inverted so ascending RowKey order is newest first; 13 digits last until the year 2286. */
const maxMs = 9_999_999_999_999;

/**
 * Tenant index table, tenant partition: a job's listing row `j_<inverted ms>_<job_id>` — newest
 * first, unique per job. The partition also holds idempotency reservations, whose keys are hex
 * hashes and so sort before every listing row.
 */
export function listingRowKey(createdMs: number, jobId: string): string {
  return `${listingPrefix}${String(maxMs - createdMs).padStart(13, "0")}_${keyPart(jobId, "job_id")}`;
}
export const listingPrefix = "j_";
/** Just past every listing row key (`` ` `` follows `_`). */
export const listingEnd = "j`";

export function tenantPartition(tenantId: string): string {
  return keyPart(tenantId, "tenant_id");
}

/**
 * Why `tenantId` can never be a Table key (too long once escaped: each character outside the
 * verbatim set takes five), or undefined when it can. Intake and listing ask this first, so such
 * an id is the client's 4xx, not a key error deep inside a write.
 */
export function tenantKeyIssue(tenantId: string): string | undefined {
  try {
    tenantPartition(tenantId);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidKeyError) return error.message;
    throw error;
  }
}

/**
 * Jobs table: one partition per job holds everything that changes together — the job row, its
 * steps and its events — so every state change is one entity-group transaction.
 */
export function jobPartition(jobId: string): string {
  return keyPart(jobId, "job_id");
}

/** The job's own row in its partition. Sorts after the events (`e_`) and before the steps (`s_`). */
export const jobRowKey = "job";

/**
 * Step rows: `s_NNNN_<step_id>` so a job's steps list in protocol order (`_`, not `#`: `#` is
 * one of the characters Table Storage forbids in keys).
 */
export function stepRowKey(index: number, stepId: string): string {
  return `${stepPrefix}${String(index).padStart(4, "0")}_${keyPart(stepId, "step_id")}`;
}
export const stepPrefix = "s_";
export const stepEnd = "s`";

/** Event rows are `e_<event_id>`; the event id the API shows is the part after the prefix. */
export const eventPrefix = "e_";
export const eventEnd = "e`";

export function eventIdOf(rowKey: string): string {
  return rowKey.slice(eventPrefix.length);
}

/** Idempotency keys are client strings of any shape; their SHA-256 is a safe, fixed-size row key. */
export function idempotencyRowKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Event row keys: `<ms>.<seq>.<writer>`. The sequence makes keys from one
 * process strictly increasing even within a millisecond or if the clock steps
 * back; the writer part, drawn at random once per instance, keeps writers in
 * different processes from colliding (a key per event drawn afresh would cost a
 * call into the system's random source on every transition, for no more safety).
 */
export class EventKeys {
  private lastMs = 0;
  private seq = 0;
  private readonly writer = randomBytes(6).toString("hex");

  next(nowMs: number): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.seq = 0;
    } else {
      this.seq++;
    }
    return `${eventPrefix}${String(this.lastMs).padStart(13, "0")}.${String(this.seq).padStart(6, "0")}.${this.writer}`;
  }
}

/**
 * The JOB_CREATED event's key is derived from the job's creation time, so a
 * retried creation rewrites the same row instead of adding a second one; `!`
 * sorts it before any other event of that millisecond.
 */
export function createdEventRowKey(createdMs: number): string {
  return `${eventPrefix}${String(createdMs).padStart(13, "0")}.000000.!`;
}
