/** State transitions and in-state patches of jobs and steps, all conditional on the ETag read. */
import {
  canTransitionJob,
  canTransitionStep,
  isTerminalJobState,
  isTerminalStepState,
  JobState,
  StepState,
} from "./states.js";
import { IllegalTransitionError, NotFoundError, StaleAttemptError } from "./errors.js";
import { jobFromEntity, jobToEntity, stepFromEntity, stepToEntity, type JobLocator } from "./mapping.js";
import { jobPartition, stepRowKey } from "./keys.js";
import { writeConditionally } from "./conditional-write.js";
import type { LedgerContext } from "./context.js";
import {
  EventType,
  type Job,
  type JobPatch,
  type JsonObject,
  type Step,
  type StepPatch,
  type StepUpdateOptions,
  type UpdateOptions,
} from "./types.js";

/** Applies a patch: `undefined` leaves a field, `null` removes it. */
function applyPatch<T extends object>(base: T, patch: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out as T;
}

async function locateOrThrow(ctx: LedgerContext, jobId: string): Promise<JobLocator> {
  const locator = await ctx.locate(jobId);
  if (!locator) throw new NotFoundError("job", jobId);
  return locator;
}

/** `to` undefined = patch without a state change (allowed only while not terminal). */
export async function updateJob(
  ctx: LedgerContext,
  jobId: string,
  to: JobState | undefined,
  patch: JobPatch = {},
  opts: UpdateOptions = {},
): Promise<Job> {
  const locator = await locateOrThrow(ctx, jobId);
  const { before, after } = await writeConditionally({
    entity: "job",
    id: jobId,
    client: ctx.tables.jobs,
    read: () => ctx.readJobAt(locator),
    ifMatch: opts.ifMatch,
    maxAttempts: ctx.tuning.maxWriteAttempts,
    decide: (current: Job) => {
      const target = to ?? current.state;
      if (to === undefined ? isTerminalJobState(current.state) : !canTransitionJob(current.state, to)) {
        throw new IllegalTransitionError("job", current.state, target, to === undefined ? "terminal states are immutable" : undefined);
      }
      const now = ctx.nowIso();
      const next = applyPatch({ ...current, state: target, updated_at: now }, patch);
      if (target === JobState.RUNNING && !next.started_at) next.started_at = now;
      if (isTerminalJobState(target) && !next.completed_at) next.completed_at = now;
      const row = jobToEntity(next, locator.job_pk, locator.job_rk);
      return { row, result: (etag: string) => jobFromEntity({ ...row, etag }) };
    },
  });
  if (to !== undefined) {
    await ctx.appendEvent(jobId, {
      type: EventType.JOB_STATE_CHANGED,
      details: { from: before.state, to, ...changedFields(patch), ...opts.details },
    });
  }
  return after;
}

export async function updateStep(
  ctx: LedgerContext,
  jobId: string,
  stepId: string,
  to: StepState | undefined,
  patch: StepPatch = {},
  opts: StepUpdateOptions = {},
): Promise<Step> {
  const partition = jobPartition(jobId);
  const { before, after } = await writeConditionally({
    entity: "step",
    id: `${jobId}/${stepId}`,
    client: ctx.tables.steps,
    read: () => ctx.readStep(jobId, stepId),
    ifMatch: opts.ifMatch,
    maxAttempts: ctx.tuning.maxWriteAttempts,
    decide: (current: Step) => {
      const { expect } = opts;
      if (expect && (current.attempt_no !== expect.attempt_no || current.lease_id !== expect.lease_id)) {
        throw new StaleAttemptError(expect, { attempt_no: current.attempt_no, lease_id: current.lease_id });
      }
      const next = decideStep(current, to, patch, ctx.nowIso());
      const row = stepToEntity(next, partition, stepRowKey(current.index, current.step_id));
      return { row, result: (etag: string) => stepFromEntity({ ...row, etag }) };
    },
  });
  if (to !== undefined) {
    await ctx.appendEvent(jobId, {
      type: EventType.STEP_STATE_CHANGED,
      step_id: stepId,
      attempt_no: after.attempt_no,
      details: { from: before.state, to, ...changedFields(patch), ...opts.details },
    });
  }
  return after;
}

function decideStep(current: Step, to: StepState | undefined, patch: StepPatch, now: string): Step {
  const target = to ?? current.state;
  if (to === undefined ? isTerminalStepState(current.state) : !canTransitionStep(current.state, to)) {
    throw new IllegalTransitionError("step", current.state, target, to === undefined ? "terminal states are immutable" : undefined);
  }
  const next = applyPatch({ ...current, state: target, updated_at: now }, patch);
  if (to === StepState.DISPATCHED) {
    // A dispatch starts a new attempt under a new lease; the ledger numbers attempts itself.
    const attempt = current.attempt_no + 1;
    if (patch.attempt_no !== undefined && patch.attempt_no !== attempt) {
      throw new IllegalTransitionError("step", current.state, target, `the next attempt is ${attempt}, not ${patch.attempt_no}`);
    }
    if (!patch.lease_id || patch.lease_id === current.lease_id) {
      throw new IllegalTransitionError("step", current.state, target, "a dispatch needs a new lease_id");
    }
    next.attempt_no = attempt;
    next.dispatched_at = patch.dispatched_at ?? now;
    if (patch.acked_at === undefined) delete next.acked_at;
    if (patch.result_received_at === undefined) delete next.result_received_at;
  } else if (patch.attempt_no !== undefined && patch.attempt_no !== current.attempt_no) {
    throw new IllegalTransitionError("step", current.state, target, "attempt_no changes only on dispatch");
  }
  if (to === StepState.ACKED && !next.acked_at) next.acked_at = now;
  if (to !== undefined && isTerminalStepState(to) && !next.completed_at) next.completed_at = now;
  return next;
}

/** What the transition set (or cleared, as null), for the audit timeline. */
function changedFields(patch: object): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) out[key] = value;
  return out;
}
