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

/** Locators and step row keys never change, so caching them is always correct; the bound only caps memory. */
const cacheSize = 10_000;

/** A Map that forgets its oldest entry when full. */
class BoundedMap<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    if (this.size >= cacheSize && !this.has(key)) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    return super.set(key, value);
  }
}

export class LedgerContext {
  private readonly locators = new BoundedMap<JobLocator>();
  /** `job_id \n step_id` → row key, so a step is a point read instead of a partition query. */
  private readonly stepRows = new BoundedMap<string>();
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
    this.locators.set(jobId, locator);
  }

  rememberStepRow(jobId: string, stepId: string, rowKey: string): void {
    this.stepRows.set(`${jobId}\n${stepId}`, rowKey);
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
    const partition = jobPartition(jobId);
    const rowKey = this.stepRows.get(`${jobId}\n${stepId}`);
    if (rowKey !== undefined) {
      const entity = await getOrUndefined(this.tables.steps, partition, rowKey);
      return entity && stepFromEntity(entity);
    }
    // The row key holds the step's index, which only the step row itself knows.
    const filter = odata`PartitionKey eq ${partition} and step_id eq ${stepId}`;
    for await (const entity of this.tables.steps.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (entity.rowKey === locatorRowKey || entity.rowKey === undefined) continue;
      this.rememberStepRow(jobId, stepId, entity.rowKey);
      return stepFromEntity(entity);
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
