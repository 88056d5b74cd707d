import type { HttpResponseInit } from "@azure/functions";
import { isLedgerError, JobState, LedgerErrorCode, type Job, type Ledger } from "../ledger/index.js";
import { ProblemError, ProblemType } from "../http/problem.js";
import { jsonResponse } from "../http/responses.js";
import type { JobController } from "../intake/job-starter.js";
import { callerLabel, type Caller } from "../auth/index.js";
import { callersJob } from "./jobs.js";
import type { JobAccepted } from "../contracts/index.js";
import { jobLinks } from "./views.js";
import { log } from "../telemetry/log.js";

export interface JobControlDependencies {
  ledger: Ledger;
  controller: JobController;
  /** Who asks; a job of a tenant it may not use is answered 404, like an unknown one. */
  caller: Caller;
}

function stateConflict(job: Job, action: string, allowed: string): ProblemError {
  return new ProblemError({
    type: ProblemType.conflict,
    title: "Job state does not allow this",
    status: 409,
    detail: `Cannot ${action} job ${job.job_id} in state ${job.state}; only a job that is ${allowed} can be`,
    state: job.state,
  });
}

/** Runs a ledger change, turning "not legal from here" into 409 with the state the job is really in. */
async function legally<T>(deps: JobControlDependencies, job: Job, action: string, allowed: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (isLedgerError(error) && error.code === LedgerErrorCode.ILLEGAL_TRANSITION) {
      throw stateConflict((await deps.ledger.getJob(job.job_id)) ?? job, action, allowed);
    }
    throw error;
  }
}

function transition(deps: JobControlDependencies, job: Job, to: JobState, action: string, allowed: string): Promise<Job> {
  return legally(deps, job, action, allowed, () =>
    deps.ledger.transitionJob(job.job_id, to, undefined, { details: { requested_by: callerLabel(deps.caller) } }),
  );
}

/** Answers 202, and logs who asked for what: the audit trail beside the events table. */
function accepted(job: Job, action: string, caller: Caller): HttpResponseInit {
  log.info("job.control", `${action} accepted for job ${job.job_id}`, {
    job_id: job.job_id,
    tenant_id: job.tenant_id,
    correlation_id: job.correlation_id,
    traceparent: job.traceparent,
    action,
    caller: callerLabel(caller),
  });
  return jsonResponse(202, { job_id: job.job_id, status: job.state, links: jobLinks(job.job_id) } satisfies JobAccepted);
}

/** POST /v1/jobs/{id}/cancel: CANCELLING now; the orchestration tells the worker and ends the job CANCELLED. */
export async function acceptCancel(jobId: string, deps: JobControlDependencies): Promise<HttpResponseInit> {
  const before = await callersJob(deps.ledger, deps.caller, jobId);
  const job = await transition(deps, before, JobState.CANCELLING, "cancel", "QUEUED, RUNNING, PAUSED or AWAITING_APPROVAL");
  // A suspended orchestration processes no events; it must run to act on the cancel.
  if (before.state === JobState.PAUSED) await deps.controller.resume(jobId, "cancel requested");
  // With no orchestration yet, there is nobody to tell: when it starts, it reads CANCELLING and ends the job.
  await deps.controller.cancel(jobId);
  return accepted(job, "cancel", deps.caller);
}

/** POST /v1/jobs/{id}/pause: the orchestration is suspended; nothing new is dispatched until resume. */
export async function acceptPause(jobId: string, deps: JobControlDependencies): Promise<HttpResponseInit> {
  const job = await transition(deps, await callersJob(deps.ledger, deps.caller, jobId), JobState.PAUSED, "pause", "RUNNING");
  await deps.controller.suspend(jobId, "paused through the API");
  return accepted(job, "pause", deps.caller);
}

/** POST /v1/jobs/{id}/resume */
export async function acceptResume(jobId: string, deps: JobControlDependencies): Promise<HttpResponseInit> {
  const job = await transition(deps, await callersJob(deps.ledger, deps.caller, jobId), JobState.RUNNING, "resume", "PAUSED");
  await deps.controller.resume(jobId, "resumed through the API");
  return accepted(job, "resume", deps.caller);
}

/** POST /v1/jobs/{id}/redrive: a FAILED job runs again from its failed step, with a fresh attempt count. */
export async function acceptRedrive(jobId: string, deps: JobControlDependencies): Promise<HttpResponseInit> {
  const before = await callersJob(deps.ledger, deps.caller, jobId);
  if (before.state !== JobState.FAILED) throw stateConflict(before, "redrive", "FAILED");
  const { job } = await legally(deps, before, "redrive", "FAILED", () =>
    deps.ledger.resetForRedrive(jobId, undefined, { requestedBy: callerLabel(deps.caller) }),
  );
  await deps.controller.start({
    job_id: job.job_id,
    tenant_id: job.tenant_id,
    protocol_id: job.protocol_id,
    ...(job.correlation_id ? { correlation_id: job.correlation_id } : {}),
    ...(job.traceparent ? { traceparent: job.traceparent } : {}),
  });
  return accepted(job, "redrive", deps.caller);
}
