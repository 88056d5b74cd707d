/** Read-side queries; each stays inside one partition. */
import { odata, type TableClient } from "@azure/data-tables";
import { InvalidInputError } from "./errors.js";
import { firstStepRowKey, jobPartition, tenantPartition } from "./keys.js";
import { fromClientToken, toClientToken } from "./continuation.js";
import { eventFromEntity, jobFromEntity, stepFromEntity, type EntityResult } from "./mapping.js";
import { isJobState, type JobState } from "./states.js";
import type { LedgerContext } from "./context.js";
import type { Job, LedgerEvent, Step } from "./types.js";

export interface ListJobsOptions {
  state?: JobState;
  /** Page size, clamped to 1..200. @default 50 */
  limit?: number;
  /** Token from the previous page. */
  continuation?: string;
}

export interface ListEventsOptions {
  /** Page size, clamped to 1..1000. @default 100 */
  limit?: number;
  continuation?: string;
}

export interface JobPage {
  jobs: Job[];
  continuation?: string;
}

export interface EventPage {
  events: LedgerEvent[];
  continuation?: string;
}

const clamp = (value: number | undefined, fallback: number, max: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.min(max, Math.max(1, Math.floor(value)));

/** The tenant's jobs, newest first (row keys hold inverted creation time), filtered on the server. */
export async function listJobs(ctx: LedgerContext, tenantId: string, opts: ListJobsOptions = {}): Promise<JobPage> {
  if (opts.state !== undefined && !isJobState(opts.state)) throw new InvalidInputError(`Unknown job state "${opts.state}"`);
  const partition = tenantPartition(tenantId);
  const filter = opts.state
    ? odata`PartitionKey eq ${partition} and state eq ${opts.state}`
    : odata`PartitionKey eq ${partition}`;
  const { items, continuation } = await page(ctx.tables.jobs, partition, filter, clamp(opts.limit, 50, 200), opts.continuation);
  return { jobs: items.map(jobFromEntity), ...(continuation ? { continuation } : {}) };
}

/** A job's events in insertion order. */
export async function listEvents(ctx: LedgerContext, jobId: string, opts: ListEventsOptions = {}): Promise<EventPage> {
  const partition = jobPartition(jobId);
  const filter = odata`PartitionKey eq ${partition}`;
  const { items, continuation } = await page(ctx.tables.events, partition, filter, clamp(opts.limit, 100, 1000), opts.continuation);
  return { events: items.map(eventFromEntity), ...(continuation ? { continuation } : {}) };
}

/** How many of a job's events have `type` for `stepId`, counted up to `max` (the query stops there). */
export async function countEvents(ctx: LedgerContext, jobId: string, type: string, stepId: string, max: number): Promise<number> {
  const filter = odata`PartitionKey eq ${jobPartition(jobId)} and type eq ${type} and step_id eq ${stepId}`;
  let count = 0;
  for await (const _ of ctx.tables.events.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
    if (++count >= max) break;
  }
  return count;
}

/** A job's steps in protocol order (the locator row sorts before them and is skipped). */
export async function listSteps(ctx: LedgerContext, jobId: string): Promise<Step[]> {
  const filter = odata`PartitionKey eq ${jobPartition(jobId)} and RowKey ge ${firstStepRowKey}`;
  const steps: Step[] = [];
  for await (const entity of ctx.tables.steps.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const step = stepFromEntity(entity);
    if (entity.rowKey !== undefined) ctx.rememberStepRow(jobId, step.step_id, entity.rowKey);
    steps.push(step);
  }
  return steps;
}

/**
 * One page of up to `limit` rows. A filtered query may return short (even
 * empty) pages with a token, so pages are fetched until full or exhausted.
 */
async function page(
  client: TableClient,
  partition: string,
  filter: string,
  limit: number,
  continuation: string | undefined,
): Promise<{ items: EntityResult[]; continuation?: string }> {
  let token = continuation === undefined ? undefined : fromClientToken(continuation, partition);
  const items: EntityResult[] = [];
  do {
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: limit - items.length, ...(token ? { continuationToken: token } : {}) });
    const next = await pages.next();
    if (next.done) break;
    items.push(...next.value);
    token = next.value.continuationToken;
  } while (token && items.length < limit);
  const clientToken = toClientToken(token, partition);
  return clientToken ? { items, continuation: clientToken } : { items };
}
