/** Internals shared by the ledger's operations: clients, clock, event keys, and the job rows this process knows. */
import type { TableClient } from "@azure/data-tables";
import { odata } from "@azure/data-tables";
import { EventKeys, eventIdOf, jobPartition, jobRowKey } from "./keys.js";
import { eventToEntity, ignoredRepliesOf, jobFromEntity, stepFromEntity, type EntityResult } from "./mapping.js";
import { entityBytes } from "./entity-size.js";
import { isConflict, isNotFound, type LedgerTables } from "./tables.js";
import type { Job, LedgerEvent, NewEvent, Step } from "./types.js";
import { InvalidKeyError } from "./errors.js";
import { writeEntity } from "../tables/write-entity.js";

export interface LedgerTuning {
  /** How long a create that finds its key reserved waits for the job to appear. @default 6000 */
  replayWaitMs: number;
  /** Age after which an unfinished reservation counts as abandoned, so a retry completes it. @default 5000 */
  reservationStaleMs: number;
  /** Conditional writes tried (re-reading after each 412) before ConcurrentUpdateError. @default 8 */
  maxWriteAttempts: number;
}

export const defaultTuning: LedgerTuning = { replayWaitMs: 6000, reservationStaleMs: 5000, maxWriteAttempts: 8 };

/**
 * A job's rows as last read or written, each with its ETag: the job row and its steps in
 * protocol order, plus the steps' REPLY_IGNORED counts (bookkeeping, not part of a step).
 */
export interface JobSnapshot {
  job: Job;
  steps: Step[];
  ignoredReplies: ReadonlyMap<string, number>;
}

/** Bounds of the snapshots kept: they only save reads, so forgetting one costs a read, never correctness. */
const maxSnapshots = 2_000;
const maxSnapshotBytes = 64 * 1024 * 1024;

/**
 * The snapshots this process last read or wrote, newest last. Every write made from one is
 * conditional on its ETags, so a snapshot another process has since changed costs a 412 and a
 * fresh read, never a wrong write; a refusal or no-op decided on one is decided again on a fresh
 * read (see change.ts).
 */
class SnapshotCache {
  private readonly entries = new Map<string, { snapshot: JobSnapshot; bytes: number }>();
  private bytes = 0;

  get(jobId: string): JobSnapshot | undefined {
    return this.entries.get(jobId)?.snapshot;
  }

  set(jobId: string, snapshot: JobSnapshot, bytes: number): void {
    this.delete(jobId);
    this.entries.set(jobId, { snapshot, bytes });
    this.bytes += bytes;
    while (this.entries.size > maxSnapshots || this.bytes > maxSnapshotBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (!entry) return;
    this.entries.delete(jobId);
    this.bytes -= entry.bytes;
  }
}

export class LedgerContext {
  private readonly snapshots = new SnapshotCache();
  private readonly eventKeys = new EventKeys();
  /** The change each job's next change waits for (see {@link inTurn}). */
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    readonly tables: LedgerTables,
    readonly now: () => Date,
    readonly tuning: LedgerTuning,
  ) {}

  /**
   * Runs the job's changes from this process one after another. Two replies for one step (an ACK
   * and its RESULT) handled at once would otherwise decide on the same rows and one would lose
   * its write to a 412, paying a read and a second write; in turn, the second decides on the rows
   * the first wrote. Other processes are still caught by the ETags.
   */
  async inTurn<T>(jobId: string, run: () => Promise<T>): Promise<T> {
    const before = this.turns.get(jobId);
    const mine = (before ?? Promise.resolve()).then(run, run);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(jobId, settled);
    try {
      return await mine;
    } finally {
      if (this.turns.get(jobId) === settled) this.turns.delete(jobId);
    }
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  nextEventKey(): string {
    return this.eventKeys.next(this.now().getTime());
  }

  /** The job's partition key, or undefined for an id that cannot be a key (such an id names no job). */
  partitionOf(jobId: string): string | undefined {
    try {
      return jobPartition(jobId);
    } catch (error) {
      if (error instanceof InvalidKeyError) return undefined;
      throw error;
    }
  }

  /** The job's rows as this process last saw them, or read (one query) when it has none or `fresh`. */
  async snapshot(jobId: string, opts: { fresh?: boolean } = {}): Promise<JobSnapshot | undefined> {
    if (!opts.fresh) {
      const known = this.snapshots.get(jobId);
      if (known) return known;
    }
    return this.readSnapshot(jobId);
  }

  /** The cached snapshot only, without reading. */
  known(jobId: string): JobSnapshot | undefined {
    return this.snapshots.get(jobId);
  }

  /** The job row and its steps: `RowKey ge "job"` is the job row and every `s_` row after it, never an event. */
  async readSnapshot(jobId: string): Promise<JobSnapshot | undefined> {
    const partition = this.partitionOf(jobId);
    if (partition === undefined) return undefined;
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${jobRowKey}`;
    let job: EntityResult | undefined;
    const steps: EntityResult[] = [];
    for await (const entity of this.tables.jobs.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (entity.rowKey === jobRowKey) job = entity;
      else steps.push(entity);
    }
    // Steps without their job row are a creation still under way (or abandoned): no job yet.
    if (!job) {
      this.snapshots.delete(jobId);
      return undefined;
    }
    return this.remember(jobId, job, steps);
  }

  /** Keeps the rows as the job's snapshot and returns it. */
  remember(jobId: string, job: EntityResult, steps: readonly EntityResult[]): JobSnapshot {
    const snapshot: JobSnapshot = {
      job: jobFromEntity(job),
      steps: steps.map(stepFromEntity).sort((a, b) => a.index - b.index),
      ignoredReplies: new Map(steps.map((s) => [String(s.step_id), ignoredRepliesOf(s)])),
    };
    const bytes = steps.reduce((sum, s) => sum + entityBytes(s), entityBytes(job));
    this.snapshots.set(jobId, snapshot, bytes);
    return snapshot;
  }

  /** Keeps a snapshot built from rows just written. */
  store(jobId: string, snapshot: JobSnapshot): JobSnapshot {
    // Roughly the rows' size in UTF-16, which is what the bound is for.
    const bytes = 2 * JSON.stringify(snapshot).length;
    this.snapshots.set(jobId, snapshot, bytes);
    return snapshot;
  }

  /** Forgets a snapshot whose rows may have changed in a way this process cannot know (an unanswered write). */
  forget(jobId: string): void {
    this.snapshots.delete(jobId);
  }

  /** The job row alone (one point read). */
  async readJob(jobId: string): Promise<Job | undefined> {
    const partition = this.partitionOf(jobId);
    if (partition === undefined) return undefined;
    const entity = await getOrUndefined(this.tables.jobs, partition, jobRowKey);
    return entity ? jobFromEntity(entity) : undefined;
  }

  /** Appends one event on its own (insert only: events are never updated or deleted). */
  async appendEvent(jobId: string, event: NewEvent): Promise<LedgerEvent> {
    const partition = jobPartition(jobId);
    const at = this.nowIso();
    const record: Omit<LedgerEvent, "event_id"> = { ...event, job_id: jobId, at };
    // A key collision needs the same millisecond, sequence and 32 random bits; a fresh key settles it.
    for (let attempt = 0; ; attempt++) {
      const rowKey = this.nextEventKey();
      try {
        const entity = eventToEntity(record, partition, rowKey);
        await writeEntity(this.tables.jobs, ["create", entity]);
        return { ...record, event_id: eventIdOf(rowKey) };
      } catch (error) {
        if (!isConflict(error) || attempt >= 3) throw error;
      }
    }
  }
}

export async function getOrUndefined(client: TableClient, partitionKey: string, rowKey: string): Promise<EntityResult | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
