/** Internals shared by the ledger's operations: clients, clock, locator cache, event append. */
import { odata, type TableClient } from "@azure/data-tables";
import { EventKeys, jobPartition, locatorRowKey } from "./keys.js";
import {
  eventToEntity,
  jobFromEntity,
  locatorFromEntity,
  stepFromEntity,
  type EntityResult,
  type JobLocator,
} from "./mapping.js";
import { isConflict, isNotFound, type LedgerTables } from "./tables.js";
import type { Job, LedgerEvent, NewEvent, Step } from "./types.js";
import { InvalidKeyError } from "./errors.js";

export interface LedgerTuning {
  /** How long a create that finds its key reserved waits for the job to appear. @default 6000 */
  replayWaitMs: number;
  /** Age after which an unfinished reservation counts as abandoned, so a retry completes it. @default 5000 */
  reservationStaleMs: number;
  /** Conditional writes tried (re-reading after each 412) before ConcurrentUpdateError. @default 8 */
  maxWriteAttempts: number;
}

export const defaultTuning: LedgerTuning = { replayWaitMs: 6000, reservationStaleMs: 5000, maxWriteAttempts: 8 };

/** Locators never change, so caching them is always correct; the bound only caps memory. */
const locatorCacheSize = 10_000;

export class LedgerContext {
  private readonly locators = new Map<string, JobLocator>();
  private readonly eventKeys = new EventKeys();

  constructor(
    readonly tables: LedgerTables,
    readonly now: () => Date,
    readonly tuning: LedgerTuning,
  ) {}

  nowIso(): string {
    return this.now().toISOString();
  }

  rememberLocator(jobId: string, locator: JobLocator): void {
    if (this.locators.size >= locatorCacheSize) {
      const oldest = this.locators.keys().next().value;
      if (oldest !== undefined) this.locators.delete(oldest);
    }
    this.locators.set(jobId, locator);
  }

  /** Where a job's row lives, or undefined if no such job (ids that cannot be keys name no job). */
  async locate(jobId: string): Promise<JobLocator | undefined> {
    const cached = this.locators.get(jobId);
    if (cached) return cached;
    let partition: string;
    try {
      partition = jobPartition(jobId);
    } catch (error) {
      if (error instanceof InvalidKeyError) return undefined;
      throw error;
    }
    const entity = await getOrUndefined(this.tables.steps, partition, locatorRowKey);
    if (!entity) return undefined;
    const locator = locatorFromEntity(entity);
    this.rememberLocator(jobId, locator);
    return locator;
  }

  async readJobAt(locator: Pick<JobLocator, "job_pk" | "job_rk">): Promise<Job | undefined> {
    const entity = await getOrUndefined(this.tables.jobs, locator.job_pk, locator.job_rk);
    return entity ? jobFromEntity(entity) : undefined;
  }

  async readStep(jobId: string, stepId: string): Promise<Step | undefined> {
    const filter = odata`PartitionKey eq ${jobPartition(jobId)} and step_id eq ${stepId}`;
    for await (const entity of this.tables.steps.listEntities({ queryOptions: { filter } })) {
      if (entity.rowKey !== locatorRowKey) return stepFromEntity(entity);
    }
    return undefined;
  }

  /** Appends one event (insert only: events are never updated or deleted). */
  async appendEvent(jobId: string, event: NewEvent): Promise<LedgerEvent> {
    const partition = jobPartition(jobId);
    const at = this.now();
    const record: Omit<LedgerEvent, "event_id"> = { ...event, job_id: jobId, at: at.toISOString() };
    // A key collision needs the same millisecond, sequence and 32 random bits; a fresh key settles it.
    for (let attempt = 0; ; attempt++) {
      const rowKey = this.eventKeys.next(at.getTime());
      try {
        await this.tables.events.createEntity(eventToEntity(record, partition, rowKey));
        return { ...record, event_id: rowKey };
      } catch (error) {
        if (!isConflict(error) || attempt >= 3) throw error;
      }
    }
  }
}

export async function getOrUndefined(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<EntityResult | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
