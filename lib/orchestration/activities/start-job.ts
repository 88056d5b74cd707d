import type { AppServices } from "../../services.js";
import { ActivityRefusal, ActivityRefusedError, notInLedger } from "../errors.js";
import { JobState, StepState, isCancelledJobState, isPassedStepState, type Decision, type JobChange, type JobSnapshot } from "../../ledger/index.js";
import { ReviewStepType } from "../../review/condition.js";
import type { Ref } from "../../contracts/index.js";
import { stepTiming } from "../step-timing.js";
import type { JobOrchestrationInput } from "../names.js";
import type { JobPlan } from "../types.js";
import { attemptStarted, openAttempt, type BeginAttemptRequest, type Services as AttemptServices } from "./begin-attempt.js";

type Services = Pick<AppServices, "contracts"> & AttemptServices;

export interface StartJobRequest extends JobOrchestrationInput {
  /**
   * Open the first step's first attempt in the batch that starts the job, and publish its
   * directive, as `beginAttempt` with `dispatch` would (orchestration v5 on). @default false
   */
  open_first?: boolean;
}

/**
 * The first activity of every job run: moves the job to RUNNING and tells the
 * orchestration which steps are left (a redriven job skips its succeeded ones)
 * and with what timing. With `open_first`, the same batch opens the first step's
 * attempt (unless that step is a review); the plan then counts that attempt as the
 * next one and carries it as `first`. A rerun finds the job started and the
 * attempt open, and hands back that attempt as it was opened.
 */
export async function startJob(input: StartJobRequest, services: Services): Promise<JobPlan> {
  const now = new Date();
  type Start = { plan: Omit<JobPlan, "first">; first?: BeginAttemptRequest; opened: boolean };
  const applied = await services.ledger.change(input.job_id, (snapshot): Decision<Start> => {
    // QUEUED → RUNNING; any other state is left for the orchestration to act on (e.g. a cancel that won the race).
    const starting = snapshot.job.state === JobState.QUEUED;
    const toRunning: JobChange = { to: JobState.RUNNING, patch: { started_at: now.toISOString() } };
    const plan = planOf(snapshot, starting ? JobState.RUNNING : snapshot.job.state, services);
    const next = plan.steps[0];
    if (!input.open_first || !next || next.review) return { change: starting ? { job: [toRunning] } : undefined, result: { plan, opened: false } };
    if (!starting) {
      // A rerun: the attempt this start opened stands; a job being cancelled gets it back unpublished, to stop its worker.
      const open = openedAttempt(snapshot, next.step_id);
      if (open === undefined) return { result: { plan, opened: false } };
      const first = { ...firstAttempt(plan, open), ...(isCancelledJobState(snapshot.job.state) ? { dispatch: false } : {}) };
      return { result: { plan: { ...plan, steps: [{ ...next, attempt_no: open - 1 }, ...plan.steps.slice(1)] }, first, opened: false } };
    }
    const first = firstAttempt(plan, next.attempt_no + 1);
    const opening = openAttempt(snapshot, first, services.settings.lanes, now);
    if (opening.outcome !== "dispatched") return { change: { job: [toRunning] }, result: { plan, opened: false } };
    const job: JobChange = { ...toRunning, patch: { ...toRunning.patch, ...opening.job.patch } };
    return { change: { job: [job], steps: [opening.step] }, result: { plan, first, opened: true } };
  });
  if (!applied) throw notInLedger(`Job ${input.job_id}`);
  const { plan, first, opened } = applied.result;
  if (!first) return plan;
  return { ...plan, first: await attemptStarted(applied.snapshot, first, opened, services) };
}

/** The attempt a start opened, as `beginAttempt` would have been asked for it. */
function firstAttempt(plan: Omit<JobPlan, "first">, attemptNo: number): BeginAttemptRequest {
  const step = plan.steps[0]!;
  return {
    job_id: plan.job_id,
    step_id: step.step_id,
    attempt_no: attemptNo,
    input_ref: plan.input_ref,
    lease_ms: step.timing.lease_ms,
    last: plan.steps.length === 1,
    dispatch: true,
  };
}

/** The number of the current step's open attempt (the one a start opened, for a rerun), if it has one. */
function openedAttempt({ job, steps }: JobSnapshot, stepId: string): number | undefined {
  const step = steps.find((s) => s.step_id === stepId);
  if (!step || job.current_step_id !== stepId || step.lease_id === undefined) return undefined;
  return step.state === StepState.RETRY_WAIT || isPassedStepState(step.state) ? undefined : step.attempt_no;
}

/** The steps left, from the job's rows: a redriven job's passed steps are skipped. */
function planOf({ job, steps }: JobSnapshot, state: JobState, services: Pick<Services, "contracts" | "settings">): Omit<JobPlan, "first"> {
  const protocol = services.contracts.registry.protocols.find((p) => p.protocol_id === job.protocol_id);
  if (!protocol)
    throw new ActivityRefusedError(ActivityRefusal.unknownProtocol, `Job ${job.job_id} names protocol ${job.protocol_id}, which the registry no longer has`);

  let inputRef: Ref = job.input_ref;
  const left: JobPlan["steps"] = [];
  for (const step of steps) {
    // A skipped review passed its input on, as an approved one did (its output_ref is that input).
    if (isPassedStepState(step.state) && left.length === 0) {
      inputRef = step.output_ref ?? inputRef;
      continue;
    }
    const registryStep = protocol.steps.find((s) => s.step_id === step.step_id);
    left.push({
      step_id: step.step_id,
      step_type: step.step_type,
      attempt_no: step.attempt_no,
      attempt_base: step.attempt_base ?? 0,
      timing: stepTiming(registryStep ?? {}, services.settings.stepDefaults),
      ...(step.step_type === ReviewStepType
        ? {
            review: {
              on_timeout: registryStep?.on_timeout ?? "reject",
              ...(registryStep?.timeout_seconds !== undefined ? { timeout_ms: registryStep.timeout_seconds * 1000 } : {}),
            },
          }
        : {}),
    });
  }
  // Activity retries cover storage and bus blips; they need not wait longer than the step's own backoff.
  const activityRetryMs = Math.max(10, Math.min(1000, Math.round(1000 * Math.min(...services.settings.stepDefaults.backoff_seconds.filter((s) => s > 0), 1))));
  return {
    job_id: job.job_id,
    state,
    steps: left,
    input_ref: inputRef,
    activity_retry_ms: activityRetryMs,
    ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
  };
}
