/** Single transitions and in-state patches of a job or a step, each one batch (see change.ts). */
import { NotFoundError, StaleEtagError } from "./errors.js";
import { applyChange } from "./change.js";
import { syncListing } from "./listing.js";
import type { LedgerContext } from "./context.js";
import type { JobState, StepState } from "./states.js";
import type { Job, JobPatch, Step, StepPatch, StepUpdateOptions, UpdateOptions } from "./types.js";

/** `to` undefined = patch without a state change (allowed only while not terminal). */
export async function updateJob(ctx: LedgerContext, jobId: string, to: JobState | undefined, patch: JobPatch = {}, opts: UpdateOptions = {}): Promise<Job> {
  const applied = await applyChange(ctx, jobId, (snapshot) => {
    if (opts.ifMatch !== undefined && snapshot.job.etag !== opts.ifMatch) throw new StaleEtagError("job", jobId);
    return { change: { job: [{ ...(to !== undefined ? { to } : {}), patch, ...(opts.details ? { details: opts.details } : {}) }] }, result: undefined };
  });
  if (!applied) throw new NotFoundError("job", jobId);
  await syncListing(ctx, applied.snapshot.job);
  return applied.snapshot.job;
}

export async function updateStep(
  ctx: LedgerContext,
  jobId: string,
  stepId: string,
  to: StepState | undefined,
  patch: StepPatch = {},
  opts: StepUpdateOptions = {},
): Promise<Step> {
  const applied = await applyChange(ctx, jobId, (snapshot) => {
    const current = snapshot.steps.find((s) => s.step_id === stepId);
    if (!current) throw new NotFoundError("step", `${jobId}/${stepId}`);
    if (opts.ifMatch !== undefined && current.etag !== opts.ifMatch) throw new StaleEtagError("step", `${jobId}/${stepId}`);
    return {
      change: {
        steps: [
          {
            step_id: stepId,
            ...(to !== undefined ? { to } : {}),
            patch,
            ...(opts.expect ? { expect: opts.expect } : {}),
            ...(opts.details ? { details: opts.details } : {}),
          },
        ],
      },
      result: undefined,
    };
  });
  if (!applied) throw new NotFoundError("job", jobId);
  return applied.snapshot.steps.find((s) => s.step_id === stepId)!;
}
