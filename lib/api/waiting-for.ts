import type { JobView } from "../contracts/index.js";
import { isTerminalJobState, isTerminalStepState, JobState, StepState, type Job, type Step } from "../ledger/index.js";

export type WaitingFor = NonNullable<JobView["waiting_for"]>;

/**
 * What a job that has not ended waits for now, read from its rows: the question an operator
 * asks of a job that seems stuck. Undefined once the job is terminal.
 */
export function waitingFor(job: Job, steps: readonly Step[]): WaitingFor | undefined {
  if (isTerminalJobState(job.state)) return undefined;
  const deadline = job.deadline ? { until: job.deadline } : {};
  const active = steps.find((s) => s.step_id === job.current_step_id && !isTerminalStepState(s.state)) ?? steps.find((s) => !isTerminalStepState(s.state));
  const at = active ? { step_id: active.step_id } : {};
  switch (job.state) {
    case JobState.QUEUED:
      return { kind: "start", description: "its orchestration to start", ...deadline };
    case JobState.PAUSED:
      return { kind: "resume", ...at, description: "a resume: it was paused", ...deadline };
    case JobState.CANCELLING:
      return { kind: "cancel", ...at, description: "its cancel to reach the active step" };
    case JobState.AWAITING_APPROVAL:
      return { kind: "review", ...at, description: `a reviewer to approve or reject step ${active?.step_id ?? job.current_step_id ?? ""}`, ...deadline };
  }
  if (!active) return { kind: "dispatch", description: "its last step's outcome to be recorded", ...deadline };
  const attempt = `attempt ${active.attempt_no}`;
  switch (active.state) {
    case StepState.DISPATCHED:
      return { kind: "ack", ...at, description: `the ${active.service} worker to ACK ${attempt} of step ${active.step_id}`, ...deadline };
    case StepState.ACKED:
      return {
        kind: "result",
        ...at,
        description: `the ${active.service} worker's RESULT for ${attempt} of step ${active.step_id}`,
        ...(active.lease_expires_at ? { until: active.lease_expires_at } : deadline),
      };
    case StepState.RETRY_WAIT:
      return { kind: "backoff", ...at, description: `the backoff before attempt ${active.attempt_no + 1} of step ${active.step_id}`, ...deadline };
    default:
      return { kind: "dispatch", ...at, description: `step ${active.step_id} to be dispatched`, ...deadline };
  }
}
