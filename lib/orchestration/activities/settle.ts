import type { AppServices } from "../../services.js";
import { notInLedger } from "../errors.js";
import { JobState, type Decision, type JobChange, type JobSnapshot, type StepChange, type StepState } from "../../ledger/index.js";
import type { CarriedSettle, FinishJobRequest, SettleStepRequest } from "../types.js";
import { recordAttemptOutcome } from "../../telemetry/attempts.js";
import { recordJobFinished } from "../../telemetry/jobs.js";

type Services = Pick<AppServices, "ledger">;

/**
 * The step change that records how an attempt ended, or undefined when the step is already
 * in that state for that attempt: a step's state within one attempt never goes back, so a
 * settlement applied once (by an activity that ran twice) is not applied again.
 */
export function settleChange(snapshot: JobSnapshot, request: CarriedSettle, now: string): StepChange | undefined {
  const step = snapshot.steps.find((s) => s.step_id === request.step_id);
  if (step?.state === request.to && step.attempt_no === request.attempt_no) return undefined;
  const patch = {
    ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
    ...(request.error !== undefined ? { error: request.error } : {}),
    ...(request.failure_class !== undefined ? { failure_class: request.failure_class } : {}),
    ...(request.result_received_at !== undefined && !step?.result_received_at ? { result_received_at: request.result_received_at } : {}),
    ...(request.to !== "RETRY_WAIT" ? { completed_at: now } : {}),
  };
  return { step_id: request.step_id, to: request.to as StepState, patch, expect: { attempt_no: request.attempt_no, lease_id: request.lease_id } };
}

/**
 * A decision that writes nothing but the carried settlement, if it is still to be written:
 * what an activity decides when its own change is already made or refused.
 */
export function settlementOnly<R extends object>(settle: StepChange | undefined, result: R): Decision<R & { settled: boolean }> {
  return settle ? { change: { steps: [settle] }, result: { ...result, settled: true } } : { result: { ...result, settled: false }, settled: true };
}

/** Counts and traces a settlement once, after the write that applied it. */
export function recordSettled(snapshot: JobSnapshot, request: CarriedSettle): void {
  recordAttemptOutcome(
    snapshot.steps.find((s) => s.step_id === request.step_id)!,
    request.to,
    request.trace,
  );
}

/**
 * Records how an attempt ended: the step and its event in one batch. Running
 * twice is harmless (see {@link settleChange}).
 */
export async function settleStep(request: SettleStepRequest, services: Services): Promise<void> {
  const now = new Date().toISOString();
  const applied = await services.ledger.change(request.job_id, (snapshot) => {
    const change = settleChange(snapshot, request, now);
    return change ? { change: { steps: [change] }, result: change } : { result: undefined, settled: true };
  });
  if (!applied) throw notInLedger(`Job ${request.job_id}`);
  // Only the write that settled the attempt records it, so a retried activity counts it once.
  if (applied.wrote) recordSettled(applied.snapshot, request);
}

/**
 * The job's terminal state, with its output or error, in one batch with its
 * event(s) and, when the request carries it, the last step's settlement;
 * idempotent like {@link settleStep}. The call that makes the job terminal
 * also rewrites its listing and gives back its in-flight place; a repeat finds
 * the state set and releases nothing.
 */
export async function finishJob(request: FinishJobRequest, services: Services): Promise<void> {
  const now = new Date().toISOString();
  const applied = await services.ledger.change(request.job_id, (snapshot): Decision<{ finished: boolean; settled: boolean }> => {
    const current = snapshot.job;
    const settle = request.settle ? settleChange(snapshot, request.settle, now) : undefined;
    const steps = settle ? [settle] : [];
    if (current.state === request.state) return settlementOnly(settle, { finished: false });
    // A pause that landed in the ledger after the last step ended: the orchestration is the truth.
    const resume: JobChange[] = current.state === JobState.PAUSED ? [{ to: JobState.RUNNING, details: { reason: "finished while pausing" } }] : [];
    const patch = {
      ...(request.output_ref !== undefined ? { output_ref: request.output_ref } : {}),
      ...(request.error !== undefined ? { error: request.error } : {}),
      completed_at: now,
      current_step_id: null,
    };
    return { change: { steps, job: [...resume, { to: request.state as JobState, patch }] }, result: { finished: true, settled: settle !== undefined } };
  });
  if (!applied) throw notInLedger(`Job ${request.job_id}`);
  if (applied.result.settled) recordSettled(applied.snapshot, request.settle!);
  if (!applied.result.finished) return;
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
 * when the step has moved to another attempt or its worker has not ACKed it.
 * Heartbeats extend the lease, and (v3 on) ACKs are recorded, in the ledger
 * rather than in orchestration history, so history grows per lease period,
 * not per heartbeat or ACK.
 */
export async function readLease(request: ReadLeaseRequest, services: Services): Promise<string | undefined> {
  const step = await services.ledger.getStep(request.job_id, request.step_id);
  return step?.attempt_no === request.attempt_no && step.acked_at !== undefined ? step.lease_expires_at : undefined;
}
