/**
 * Redrive: the one sanctioned way out of a terminal state. A FAILED job goes
 * back to QUEUED — the orchestration is then started again and moves it to
 * RUNNING like any new job — and the chosen step and every later one are
 * reset to PENDING with a fresh retry budget (attempt_base = attempts so far). Earlier steps keep their
 * results; the previous attempts stay in the events timeline.
 *
 * Steps are reset before the job row changes: if the process dies in between,
 * the job is still FAILED with resettable steps, so redriving again works.
 * The job row's conditional write is the arbiter between concurrent redrives.
 */
import { ConcurrentUpdateError, IllegalTransitionError, InvalidInputError, NotFoundError, StaleEtagError } from "./errors.js";
import { isActiveStepState, JobState, StepState } from "./states.js";
import { jobFromEntity, jobToEntity, stepToEntity } from "./mapping.js";
import { jobPartition, stepRowKey } from "./keys.js";
import { isPreconditionFailed } from "./tables.js";
import type { LedgerContext } from "./context.js";
import { listSteps } from "./queries.js";
import { EventType, type Job, type Step } from "./types.js";

export interface RedriveOptions {
  /** The job's ETag as the caller read it; if it changed → StaleEtagError. */
  ifMatch?: string;
  /** Who asked, for the JOB_REDRIVEN event. */
  requestedBy?: string;
}

/** Step states a redrive may start from. */
const restartable: ReadonlySet<StepState> = new Set([StepState.FAILED, StepState.CANCELLED, StepState.PENDING]);

export async function redriveJob(
  ctx: LedgerContext,
  jobId: string,
  fromStepId?: string,
  opts: RedriveOptions = {},
): Promise<{ job: Job; steps: Step[] }> {
  const locator = await ctx.locate(jobId);
  const job = locator && (await ctx.readJobAt(locator));
  if (!locator || !job) throw new NotFoundError("job", jobId);
  if (opts.ifMatch !== undefined && job.etag !== opts.ifMatch) throw new StaleEtagError("job", jobId);
  if (job.state !== JobState.FAILED) {
    throw new IllegalTransitionError("job", job.state, JobState.QUEUED, "only a FAILED job can be redriven");
  }
  const steps = await listSteps(ctx, jobId);
  const from = fromStepId === undefined ? steps.find((s) => s.state !== StepState.SUCCEEDED) : steps.find((s) => s.step_id === fromStepId);
  if (!from) {
    if (fromStepId !== undefined) throw new NotFoundError("step", `${jobId}/${fromStepId}`);
    throw new InvalidInputError(`Job ${jobId} has no unfinished step to redrive from`);
  }
  checkRedrivable(steps, from);

  const now = ctx.nowIso();
  const partition = jobPartition(jobId);
  const lostRace = async (): Promise<never> => {
    const latest = await ctx.readJobAt(locator);
    if (latest && latest.state !== JobState.FAILED) {
      throw new IllegalTransitionError("job", latest.state, JobState.QUEUED, "only a FAILED job can be redriven");
    }
    throw new ConcurrentUpdateError("job", jobId, 1);
  };

  const resetSteps = await Promise.all(
    steps.map(async (step) => {
      if (step.index < from.index) return step;
      const reset: Omit<Step, "etag"> = {
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
      };
      const row = stepToEntity(reset, partition, stepRowKey(step.index, step.step_id));
      try {
        const { etag } = await ctx.tables.steps.updateEntity(row, "Replace", { etag: step.etag });
        return { ...reset, etag: etag ?? "" };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
        // A concurrent redrive may have reset it already; the job row's ETag decides which redrive wins.
        const latest = await ctx.readStep(jobId, step.step_id);
        if (latest?.state === StepState.PENDING && latest.attempt_base === latest.attempt_no) return latest;
        return lostRace();
      }
    }),
  );

  const next: Omit<Job, "etag"> = { ...job, state: JobState.QUEUED, updated_at: now, redrive_count: job.redrive_count + 1 };
  delete next.error;
  delete next.completed_at;
  delete next.current_step_id;
  const row = jobToEntity(next, locator.job_pk, locator.job_rk);
  let etag: string | undefined;
  try {
    ({ etag } = await ctx.tables.jobs.updateEntity(row, "Replace", { etag: job.etag }));
  } catch (error) {
    if (isPreconditionFailed(error)) return lostRace();
    throw error;
  }
  await ctx.appendEvent(jobId, {
    type: EventType.JOB_REDRIVEN,
    step_id: from.step_id,
    details: {
      from: JobState.FAILED,
      to: JobState.QUEUED,
      redrive_count: next.redrive_count,
      ...(opts.requestedBy !== undefined ? { requested_by: opts.requestedBy } : {}),
      reset_steps: steps
        .filter((s) => s.index >= from.index)
        .map((s) => ({ step_id: s.step_id, state: s.state, attempt_no: s.attempt_no })),
    },
  });
  return { job: jobFromEntity({ ...row, etag: etag ?? "" }), steps: resetSteps };
}

function checkRedrivable(steps: readonly Step[], from: Step): void {
  if (!restartable.has(from.state)) {
    throw new IllegalTransitionError("step", from.state, StepState.PENDING, "a redrive starts from a FAILED, CANCELLED or PENDING step");
  }
  for (const step of steps) {
    if (step.index < from.index && step.state !== StepState.SUCCEEDED) {
      throw new IllegalTransitionError(
        "step",
        step.state,
        StepState.PENDING,
        `earlier step "${step.step_id}" has not succeeded; redrive from it instead`,
      );
    }
    if (step.index > from.index && isActiveStepState(step.state)) {
      throw new IllegalTransitionError("step", step.state, StepState.PENDING, `step "${step.step_id}" is still active`);
    }
  }
}
