/**
 * Reads for intake and drift repair: who owns an idempotency key, and which jobs
 * are still in flight (not terminal).
 */
import { getOrUndefined, type LedgerContext } from "./context.js";
import { idempotencyRowKey, tenantPartition } from "./keys.js";
import { listingFromEntity, reservationFromEntity } from "./mapping.js";
import { isTerminalJobState } from "./states.js";
import { syncListing } from "./listing.js";
import type { IdempotencyClaim, Job } from "./types.js";

/** What an existing claim on an idempotency key means for a new submission. */
export type ExistingClaim = { outcome: "replayed"; job: Job } | { outcome: "conflict"; job_id: string } | undefined;

/** Looks up a tenant's idempotency key without reserving it; undefined when the key is free (or its job is not written yet). */
export async function findClaim(ctx: LedgerContext, tenantId: string, claim: IdempotencyClaim): Promise<ExistingClaim> {
  const entity = await getOrUndefined(ctx.tables.tenantIndex, tenantPartition(tenantId), idempotencyRowKey(claim.key));
  if (!entity) return undefined;
  const reservation = reservationFromEntity(entity);
  if (reservation.body_hash !== claim.bodyHash) return { outcome: "conflict", job_id: reservation.job_id };
  const job = await ctx.readJob(reservation.job_id);
  return job ? { outcome: "replayed", job } : undefined;
}

/**
 * Every job not yet terminal, across tenants: a scan of the active listing rows, for the
 * periodic reconciler only. A row left active by a crash after its job's terminal write is
 * rewritten on the way.
 */
export async function* activeJobs(ctx: LedgerContext): AsyncGenerator<Job> {
  for await (const entity of ctx.tables.tenantIndex.listEntities<Record<string, unknown>>({ queryOptions: { filter: "active eq true" } })) {
    const job = await ctx.readJob(listingFromEntity(entity).job_id);
    // No job row: a creation still under way (or abandoned before its job existed).
    if (!job) continue;
    if (isTerminalJobState(job.state)) {
      await syncListing(ctx, job);
      continue;
    }
    yield job;
  }
}
