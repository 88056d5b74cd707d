/**
 * The tenant listing beside the job partitions. A listing row is written with the
 * reservation (active) and rewritten only when its job enters or leaves a terminal
 * state — not on QUEUED → RUNNING, pauses or cancels — so a job costs one listing
 * write after intake. The job row stays the truth: the listing shows job rows, and
 * filters an active state (QUEUED, RUNNING, PAUSED, AWAITING_APPROVAL, CANCELLING) on them.
 *
 * The rewrite follows the job's batch: a crash in between leaves an active row for
 * a terminal job. The listing still shows that job's true state; only a filter on
 * its terminal state misses it until the reconciler, which walks the active rows,
 * rewrites it (see activeJobs).
 */
import { listingRowKey, tenantPartition } from "./keys.js";
import { listingToEntity } from "./mapping.js";
import { isTerminalJobState } from "./states.js";
import type { LedgerContext } from "./context.js";
import type { Job } from "./types.js";
import { writeEntity } from "../tables/write-entity.js";

export function listingKeyOf(job: Pick<Job, "created_at" | "job_id">): string {
  return listingRowKey(Date.parse(job.created_at), job.job_id);
}

/** Rewrites the job's listing row for a terminal job (`active` false, its state) or, with `reopened`, an active one. */
export async function syncListing(ctx: LedgerContext, job: Job, opts: { reopened?: boolean } = {}): Promise<void> {
  const terminal = isTerminalJobState(job.state);
  if (!terminal && !opts.reopened) return;
  const entity = listingToEntity(
    { job_id: job.job_id, active: !terminal, ...(terminal ? { state: job.state } : {}) },
    tenantPartition(job.tenant_id),
    listingKeyOf(job),
  );
  // Replace without an ETag: the row holds nothing but this, and a job's terminal state never changes.
  await writeEntity(ctx.tables.tenantIndex, ["upsert", entity, "Replace"]);
}
