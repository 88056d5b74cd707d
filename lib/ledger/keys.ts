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

/** Jobs table, tenant partition: `<inverted ms>_<job_id>` — newest first, unique per job. */
export function jobRowKey(createdMs: number, jobId: string): string {
  return `${String(maxMs - createdMs).padStart(13, "0")}_${keyPart(jobId, "job_id")}`;
}

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

export function jobPartition(jobId: string): string {
  return keyPart(jobId, "job_id");
}

/**
 * The job's locator row lives in the steps table, in the job's own partition,
 * so it is written in the same batch as the steps. It sorts before every step
 * row (`!` < digits) and is immutable.
 */
export const locatorRowKey = "!job";
/** Lower bound that selects step rows only (skips the locator). */
export const firstStepRowKey = "0";

/**
 * Steps table: `NNNN_<step_id>` so a job's steps list in protocol order.
 * (DESIGN §5 writes `NNNN#step_id`, but `#` is one of the characters Table
 * Storage forbids in keys — the service rejects such a row.)
 */
export function stepRowKey(index: number, stepId: string): string {
  return `${String(index).padStart(4, "0")}_${keyPart(stepId, "step_id")}`;
}

/** Idempotency keys are client strings of any shape; their SHA-256 is a safe, fixed-size row key. */
export function idempotencyRowKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Event row keys: `<ms>.<seq>.<random>`. The sequence makes keys from one
 * process strictly increasing even within a millisecond or if the clock steps
 * back; the random suffix keeps writers in different processes from colliding.
 */
export class EventKeys {
  private lastMs = 0;
  private seq = 0;

  next(nowMs: number): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.seq = 0;
    } else {
      this.seq++;
    }
    return `${String(this.lastMs).padStart(13, "0")}.${String(this.seq).padStart(6, "0")}.${randomBytes(4).toString("hex")}`;
  }
}

/**
 * The JOB_CREATED event's key is derived from the job's creation time, so a
 * retried creation rewrites the same row instead of adding a second one; `!`
 * sorts it before any other event of that millisecond.
 */
export function createdEventRowKey(createdMs: number): string {
  return `${String(createdMs).padStart(13, "0")}.000000.!`;
}
