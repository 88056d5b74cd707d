import type { AppServices } from "../../services.js";
import { JobState, type Decision, type JobChange, type StepState } from "../../ledger/index.js";
import type { FinishJobRequest, SettleStepRequest } from "../types.js";
import { recordAttemptOutcome } from "../../telemetry/attempts.js";
import { recordJobFinished } from "../../telemetry/jobs.js";

type Services = Pick<AppServices, "ledger">;

/**
 * Records how an attempt ended: the step and its event in one batch. Running
 * twice is harmless: a step already in the requested state for this attempt is
 * left as it is.
 */
export async function settleStep(request: SettleStepRequest, services: Services): Promise<void> {
  const now = new Date().toISOString();
  const terminal = request.to !== "RETRY_WAIT";
  const applied = await services.ledger.change(request.job_id, (snapshot) => {
    const step = snapshot.steps.find((s) => s.step_id === request.step_id);
    // Settled for good: a step's state within one attempt never goes back.
    if (step?.state === request.to && step.attempt_no === request.attempt_no) return { result: undefined, settled: true };
    const patch = {
      ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
      ...(request.error !== undefined ? { error: request.error } : {}),
      ...(request.failure_class !== undefined ? { failure_class: request.failure_class } : {}),
      ...(terminal ? { completed_at: now } : {}),
    };
    return {
      change: { steps: [{ step_id: request.step_id, to: request.to as StepState, patch, expect: { attempt_no: request.attempt_no, lease_id: request.lease_id } }] },
      result: undefined,
    };
  });
  if (!applied) throw new Error(`Job ${request.job_id} is not in the ledger`);
  // Only the write that settled the attempt records it, so a retried activity counts it once.
  if (applied.wrote) recordAttemptOutcome(applied.snapshot.steps.find((s) => s.step_id === request.step_id)!, request.to, request.trace);
}

/**
 * The job's terminal state, with its output or error, in one batch with its
 * event(s); idempotent like {@link settleStep}. The call that makes the job
 * terminal also rewrites its listing and gives back its in-flight place; a
 * repeat finds the state set and releases nothing.
 */
export async function finishJob(request: FinishJobRequest, services: Services): Promise<void> {
  const applied = await services.ledger.change(request.job_id, (snapshot): Decision<boolean> => {
    const current = snapshot.job;
    if (current.state === request.state) return { result: false, settled: true };
    // A pause that landed in the ledger after the last step ended: the orchestration is the truth.
    const resume: JobChange[] = current.state === JobState.PAUSED ? [{ to: JobState.RUNNING, details: { reason: "finished while pausing" } }] : [];
    const patch = {
      ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
      ...(request.error !== undefined ? { error: request.error } : {}),
      completed_at: new Date().toISOString(),
      current_step_id: null,
    };
    return { change: { job: [...resume, { to: request.state as JobState, patch }] }, result: true };
  });
  if (!applied) throw new Error(`Job ${request.job_id} is not in the ledger`);
  if (!applied.result) return;
  const finished = applied.snapshot.job;
  recordJobFinished(finished);
  await services.ledger.release(finished.tenant_id);
  await services.ledger.syncListing(finished);
}

export interface ReadLeaseRequest {
  job_id: string;
  step_id: string;
  attempt_no: number;
}

/**
 * The attempt's lease deadline as heartbeats left it (ISO time), or undefined
 * when the step has moved to another attempt. Heartbeats extend the lease in
 * the ledger rather than in orchestration history, so history grows per lease
 * period, not per heartbeat.
 */
export async function readLease(request: ReadLeaseRequest, services: Services): Promise<string | undefined> {
  const step = await services.ledger.getStep(request.job_id, request.step_id);
  return step?.attempt_no === request.attempt_no ? step.lease_expires_at : undefined;
}
