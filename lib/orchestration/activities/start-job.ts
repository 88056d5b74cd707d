import type { AppServices } from "../../services.js";
import { ActivityRefusal, ActivityRefusedError, notInLedger } from "../errors.js";
import { JobState, isPassedStepState } from "../../ledger/index.js";
import { ReviewStepType } from "../../review/condition.js";
import type { Ref } from "../../contracts/index.js";
import { stepTiming } from "../step-timing.js";
import type { JobOrchestrationInput } from "../names.js";
import type { JobPlan } from "../types.js";

type Services = Pick<AppServices, "ledger" | "contracts" | "settings">;

/**
 * The first activity of every job run: moves the job to RUNNING and tells the
 * orchestration which steps are left (a redriven job skips its succeeded ones)
 * and with what timing.
 */
export async function startJob(input: JobOrchestrationInput, services: Services): Promise<JobPlan> {
  // QUEUED → RUNNING; any other state is left for the orchestration to act on (e.g. a cancel that won the race).
  const applied = await services.ledger.change(input.job_id, (snapshot) =>
    snapshot.job.state === JobState.QUEUED
      ? { change: { job: [{ to: JobState.RUNNING, patch: { started_at: new Date().toISOString() } }] }, result: undefined }
      : { result: undefined },
  );
  if (!applied) throw notInLedger(`Job ${input.job_id}`);
  const { job, steps } = applied.snapshot;
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
    state: job.state,
    steps: left,
    input_ref: inputRef,
    activity_retry_ms: activityRetryMs,
    ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
  };
}
