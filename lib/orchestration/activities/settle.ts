import type { AppServices } from "../../services.js";
import { isLedgerError, LedgerErrorCode, type JobState, type StepState } from "../../ledger/index.js";
import type { FinishJobRequest, SettleStepRequest } from "../types.js";
import { recordAttemptOutcome } from "../../telemetry/attempts.js";
import { recordJobFinished } from "../../telemetry/jobs.js";

type Services = Pick<AppServices, "ledger">;

/**
 * Records how an attempt ended. Running twice is harmless: a step already in
 * the requested state for this attempt is left as it is.
 */
export async function settleStep(request: SettleStepRequest, services: Services): Promise<void> {
  const now = new Date().toISOString();
  const terminal = request.to !== "RETRY_WAIT";
  try {
    const step = await services.ledger.transitionStep(
      request.job_id,
      request.step_id,
      request.to as StepState,
      {
        ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
        ...(request.error !== undefined ? { error: request.error } : {}),
        ...(request.failure_class !== undefined ? { failure_class: request.failure_class } : {}),
        ...(terminal ? { completed_at: now } : {}),
      },
      { expect: { attempt_no: request.attempt_no, lease_id: request.lease_id } },
    );
    // Only the write that settled the attempt records it, so a retried activity counts it once.
    recordAttemptOutcome(step, request.to, request.trace);
  } catch (error) {
    if (isLedgerError(error) && error.code === LedgerErrorCode.ILLEGAL_TRANSITION) {
      const step = await services.ledger.getStep(request.job_id, request.step_id);
      if (step?.state === request.to && step.attempt_no === request.attempt_no) return;
    }
    throw error;
  }
}

/**
 * The job's terminal state, with its output or error; idempotent like
 * {@link settleStep}. The call that makes the job terminal also gives back its
 * in-flight place; a repeat finds the state set and releases nothing.
 */
export async function finishJob(request: FinishJobRequest, services: Services): Promise<void> {
  const current = await services.ledger.getJob(request.job_id);
  if (!current) throw new Error(`Job ${request.job_id} is not in the ledger`);
  // A pause that landed in the ledger after the last step ended: the orchestration is the truth.
  if (current.state === "PAUSED") await services.ledger.transitionJob(request.job_id, "RUNNING" as JobState, undefined, { details: { reason: "finished while pausing" } });
  try {
    const finished = await services.ledger.transitionJob(request.job_id, request.state as JobState, {
      ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
      ...(request.error !== undefined ? { error: request.error } : {}),
      completed_at: new Date().toISOString(),
      current_step_id: null,
    });
    recordJobFinished(finished);
  } catch (error) {
    if (isLedgerError(error) && error.code === LedgerErrorCode.ILLEGAL_TRANSITION) {
      const job = await services.ledger.getJob(request.job_id);
      if (job?.state === request.state) return;
    }
    throw error;
  }
  await services.ledger.release(current.tenant_id);
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
