/**
 * Redrive: the one sanctioned way out of a terminal state. A FAILED job goes
 * back to QUEUED — the orchestration is then started again and moves it to
 * RUNNING like any new job — and the chosen step and every later one are
 * reset to PENDING with a fresh retry budget (attempt_base = attempts so far). Earlier steps keep their
 * results; the previous attempts stay in the events timeline.
 *
 * The job row, the reset steps and JOB_REDRIVEN are one batch, conditional on
 * the ETags read: concurrent redrives cannot both land, and a crash leaves the
 * job either FAILED as it was or redriven in full.
 */
import { ConcurrentUpdateError, IllegalTransitionError, InvalidInputError, NotFoundError, StaleEtagError } from "./errors.js";
import { isActiveStepState, isPassedStepState, JobState, StepState } from "./states.js";
import { eventToEntity, jobToEntity, stepToEntity } from "./mapping.js";
import { jobPartition, jobRowKey, stepRowKey } from "./keys.js";
import { isPreconditionFailed } from "./tables.js";
import type { LedgerContext } from "./context.js";
import { writeRows, type RowWrite } from "./row-writes.js";
import { syncListing } from "./listing.js";
import { EventType, type Job, type Step } from "./types.js";

export interface RedriveOptions {
  /** The job's ETag as the caller read it; if it changed → StaleEtagError. */
  ifMatch?: string;
  /** Who asked, for the JOB_REDRIVEN event. */
  requestedBy?: string;
}

/** Step states a redrive may start from. */
const restartable: ReadonlySet<StepState> = new Set([StepState.FAILED, StepState.CANCELLED, StepState.PENDING]);

export async function resetForRedrive(ctx: LedgerContext, jobId: string, fromStepId?: string, opts: RedriveOptions = {}): Promise<{ job: Job; steps: Step[] }> {
  const snapshot = await ctx.snapshot(jobId, { fresh: true });
  if (!snapshot) throw new NotFoundError("job", jobId);
  const { job, steps } = snapshot;
  if (opts.ifMatch !== undefined && job.etag !== opts.ifMatch) throw new StaleEtagError("job", jobId);
  if (job.state !== JobState.FAILED) {
    throw new IllegalTransitionError("job", job.state, JobState.QUEUED, "only a FAILED job can be redriven");
  }
  const from = fromStepId === undefined ? steps.find((s) => !isPassedStepState(s.state)) : steps.find((s) => s.step_id === fromStepId);
  if (!from) {
    if (fromStepId !== undefined) throw new NotFoundError("step", `${jobId}/${fromStepId}`);
    throw new InvalidInputError(`Job ${jobId} has no unfinished step to redrive from`);
  }
  checkRedrivable(steps, from);

  const now = ctx.nowIso();
  const partition = jobPartition(jobId);
  const reset = steps
    .filter((s) => s.index >= from.index)
    .map((step): Omit<Step, "etag"> => ({
      job_id: step.job_id,
      step_id: step.step_id,
      index: step.index,
      step_type: step.step_type,
      service: step.service,
      state: StepState.PENDING,
      // Attempt numbers keep counting so message ids (job:step:attempt:TYPE) never repeat within
      // the duplicate-detection window; the retry budget restarts from attempt_base.
      attempt_no: step.attempt_no,
      attempt_base: step.attempt_no,
      ...(step.max_attempts !== undefined ? { max_attempts: step.max_attempts } : {}),
      ...(step.payload !== undefined ? { payload: step.payload } : {}),
      // Only the first step's input is fixed at creation; later inputs come from the previous output.
      ...(step.index === 0 && step.input_ref !== undefined ? { input_ref: step.input_ref } : {}),
      created_at: step.created_at,
      updated_at: now,
    }));
  const next: Omit<Job, "etag"> = { ...job, state: JobState.QUEUED, updated_at: now, redrive_count: job.redrive_count + 1 };
  delete next.error;
  delete next.completed_at;
  delete next.current_step_id;
  const event = eventToEntity(
    {
      job_id: jobId,
      type: EventType.JOB_REDRIVEN,
      step_id: from.step_id,
      at: now,
      details: {
        from: JobState.FAILED,
        to: JobState.QUEUED,
        redrive_count: next.redrive_count,
        ...(opts.requestedBy !== undefined ? { requested_by: opts.requestedBy } : {}),
        reset_steps: steps.filter((s) => s.index >= from.index).map((s) => ({ step_id: s.step_id, state: s.state, attempt_no: s.attempt_no })),
      },
    },
    partition,
    ctx.nextEventKey(),
  );
  const writes: RowWrite[] = [
    { kind: "update", entity: jobToEntity(next, partition, jobRowKey), etag: job.etag },
    ...reset.map((r): RowWrite => {
      const entity = stepToEntity(r, partition, stepRowKey(r.index, r.step_id), snapshot.ignoredReplies.get(r.step_id));
      return { kind: "update", entity, etag: steps.find((s) => s.step_id === r.step_id)!.etag };
    }),
    { kind: "create", entity: event },
  ];
  let etags: Map<string, string>;
  try {
    etags = await writeRows(ctx.tables.jobs, writes);
  } catch (error) {
    ctx.forget(jobId);
    if (!isPreconditionFailed(error)) throw error;
    // Another writer (most likely a concurrent redrive) changed the job first.
    const latest = await ctx.readJob(jobId);
    if (latest && latest.state !== JobState.FAILED) {
      throw new IllegalTransitionError("job", latest.state, JobState.QUEUED, "only a FAILED job can be redriven");
    }
    throw new ConcurrentUpdateError("job", jobId, 1);
  }
  const after = ctx.store(jobId, {
    job: { ...next, etag: etags.get(jobRowKey) ?? "" },
    steps: steps.map((s) => {
      const r = reset.find((x) => x.step_id === s.step_id);
      return r ? { ...r, etag: etags.get(stepRowKey(r.index, r.step_id)) ?? "" } : s;
    }),
    ignoredReplies: snapshot.ignoredReplies,
  });
  await syncListing(ctx, after.job, { reopened: true });
  return { job: after.job, steps: after.steps };
}

function checkRedrivable(steps: readonly Step[], from: Step): void {
  if (!restartable.has(from.state)) {
    throw new IllegalTransitionError("step", from.state, StepState.PENDING, "a redrive starts from a FAILED, CANCELLED or PENDING step");
  }
  for (const step of steps) {
    if (step.index < from.index && !isPassedStepState(step.state)) {
      throw new IllegalTransitionError("step", step.state, StepState.PENDING, `earlier step "${step.step_id}" has not succeeded; redrive from it instead`);
    }
    if (step.index > from.index && isActiveStepState(step.state)) {
      throw new IllegalTransitionError("step", step.state, StepState.PENDING, `step "${step.step_id}" is still active`);
    }
  }
}
