/**
 * Reads for backpressure and drift repair: who owns an idempotency key, and
 * which jobs are still in flight (not terminal).
 */
import { odata } from "@azure/data-tables";
import { getOrUndefined, type LedgerContext } from "./context.js";
import { idempotencyRowKey, tenantPartition } from "./keys.js";
import { jobFromEntity, reservationFromEntity } from "./mapping.js";
import { JobState } from "./states.js";
import type { IdempotencyClaim, Job } from "./types.js";

/** What an existing claim on an idempotency key means for a new submission. */
export type ExistingClaim = { outcome: "replayed"; job: Job } | { outcome: "conflict"; job_id: string } | undefined;

/** Looks up a tenant's idempotency key without reserving it; undefined when the key is free (or its job is not written yet). */
export async function findClaim(ctx: LedgerContext, tenantId: string, claim: IdempotencyClaim): Promise<ExistingClaim> {
  const tenantPk = tenantPartition(tenantId);
  const entity = await getOrUndefined(ctx.tables.idempotency, tenantPk, idempotencyRowKey(claim.key));
  if (!entity) return undefined;
  const reservation = reservationFromEntity(entity);
  if (reservation.body_hash !== claim.bodyHash) return { outcome: "conflict", job_id: reservation.job_id };
  const job = await ctx.readJobAt({ job_pk: tenantPk, job_rk: reservation.job_rk });
  return job ? { outcome: "replayed", job } : undefined;
}

const activeStates = [JobState.QUEUED, JobState.RUNNING, JobState.PAUSED, JobState.CANCELLING] as const;
const activeFilter = activeStates.map((state) => odata`state eq ${state}`).join(" or ");

/** Every job not yet terminal, across tenants: a scan, for the periodic reconciler only. */
export async function* activeJobs(ctx: LedgerContext): AsyncGenerator<Job> {
  for await (const entity of ctx.tables.jobs.listEntities<Record<string, unknown>>({ queryOptions: { filter: activeFilter } })) {
    // The jobs table holds only job rows; anything else would lack a state and is skipped.
    if (typeof entity.state === "string") yield jobFromEntity(entity);
  }
}

/** How many of the tenant's jobs are in flight: one partition query. */
export async function countActiveJobs(ctx: LedgerContext, tenantId: string): Promise<number> {
  const filter = `${odata`PartitionKey eq ${tenantPartition(tenantId)}`} and (${activeFilter})`;
  let count = 0;
  for await (const _ of ctx.tables.jobs.listEntities({ queryOptions: { filter, select: ["state"] } })) count++;
  return count;
}
