/** Reads for drift repair: which jobs are still in flight (not terminal). */
import type { LedgerContext } from "./context.js";
import { listingFromEntity } from "./mapping.js";
import { isTerminalJobState } from "./states.js";
import { syncListing } from "./listing.js";
import type { Job } from "./types.js";

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
