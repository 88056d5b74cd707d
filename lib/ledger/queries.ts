/** Read-side queries; each stays inside one partition (a listing also reads the job rows it lists). */
import { odata, type TableClient } from "@azure/data-tables";
import { InvalidInputError } from "./errors.js";
import { eventEnd, eventPrefix, jobPartition, listingEnd, listingPrefix, stepEnd, stepPrefix, tenantPartition } from "./keys.js";
import { fromClientToken, toClientToken } from "./continuation.js";
import { eventFromEntity, listingFromEntity, stepFromEntity, type EntityResult } from "./mapping.js";
import { isJobState, isTerminalJobState, type JobState } from "./states.js";
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

/**
 * The tenant's jobs, newest first (listing row keys hold inverted creation time). A terminal
 * state is filtered on the server; an active one on the job rows, of which there are at most
 * the tenant's in-flight limit. Each listed job is its job row, read when listed.
 */
export async function listJobs(ctx: LedgerContext, tenantId: string, opts: ListJobsOptions = {}): Promise<JobPage> {
  if (opts.state !== undefined && !isJobState(opts.state)) throw new InvalidInputError(`Unknown job state "${opts.state}"`);
  const partition = tenantPartition(tenantId);
  const rows = odata`PartitionKey eq ${partition} and RowKey ge ${listingPrefix} and RowKey lt ${listingEnd}`;
  const filter =
    opts.state === undefined ? rows : isTerminalJobState(opts.state) ? `${rows} and ${odata`state eq ${opts.state}`}` : `${rows} and active eq true`;
  const wanted = opts.state;
  const { items, continuation } = await page(ctx.tables.tenantIndex, partition, filter, clamp(opts.limit, 50, 200), opts.continuation, async (entities) => {
    const jobs = await Promise.all(entities.map((e) => ctx.readJob(listingFromEntity(e).job_id)));
    // A listing row without its job row is a creation under way: not a job yet.
    return jobs.filter((job): job is Job => job !== undefined && (wanted === undefined || job.state === wanted));
  });
  return { jobs: items, ...(continuation ? { continuation } : {}) };
}

/** A job's events in insertion order. */
export async function listEvents(ctx: LedgerContext, jobId: string, opts: ListEventsOptions = {}): Promise<EventPage> {
  const partition = jobPartition(jobId);
  const filter = odata`PartitionKey eq ${partition} and RowKey ge ${eventPrefix} and RowKey lt ${eventEnd}`;
  const { items, continuation } = await page(ctx.tables.jobs, partition, filter, clamp(opts.limit, 100, 1000), opts.continuation, async (e) =>
    e.map(eventFromEntity),
  );
  return { events: items, ...(continuation ? { continuation } : {}) };
}

/** A job's steps in protocol order. */
export async function listSteps(ctx: LedgerContext, jobId: string): Promise<Step[]> {
  const partition = ctx.partitionOf(jobId);
  if (partition === undefined) return [];
  const filter = odata`PartitionKey eq ${partition} and RowKey ge ${stepPrefix} and RowKey lt ${stepEnd}`;
  const steps: Step[] = [];
  for await (const entity of ctx.tables.jobs.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) steps.push(stepFromEntity(entity));
  return steps.sort((a, b) => a.index - b.index);
}

/**
 * One page of up to `limit` items. A filtered query may return short (even empty) pages with a
 * token, so pages are fetched until full or exhausted; each fetch asks for no more rows than
 * items still missing, and every row fetched is consumed, so the token resumes right after them.
 */
async function page<T>(
  client: TableClient,
  partition: string,
  filter: string,
  limit: number,
  continuation: string | undefined,
  map: (entities: EntityResult[]) => Promise<T[]>,
): Promise<{ items: T[]; continuation?: string }> {
  let token = continuation === undefined ? undefined : fromClientToken(continuation, partition);
  const items: T[] = [];
  do {
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: limit - items.length, ...(token ? { continuationToken: token } : {}) });
    const next = await pages.next();
    if (next.done) break;
    items.push(...(await map(next.value)));
    token = next.value.continuationToken;
  } while (token && items.length < limit);
  const clientToken = toClientToken(token, partition);
  return clientToken ? { items, continuation: clientToken } : { items };
}
