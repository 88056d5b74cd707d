import type { OrchestrationContext, TimerTask } from "durable-functions";
import type { FailureInfo } from "../ledger/index.js";
import { OrchestrationErrorCode, type JobPlan } from "./types.js";
import { JobOrchestrationVersions, runsReviews } from "./version.js";

/**
 * The job's deadline as this instance keeps it: v4 on, and only when the job has one. Every wait
 * of the orchestration (a worker's ACK or RESULT, a backoff, a review) races a timer at it.
 */
export function deadlineOf(context: OrchestrationContext, plan: JobPlan): Date | undefined {
  const version = context.df.version ?? JobOrchestrationVersions.unversioned;
  return runsReviews(version) && plan.deadline !== undefined ? new Date(plan.deadline) : undefined;
}

/**
 * A fresh timer at the deadline for one wait; the caller cancels it when something else wins.
 * A timer is never shared between waits: a task the orchestrator yields again is scheduled again.
 */
export function deadlineTimer(context: OrchestrationContext, deadline: Date | undefined): TimerTask | undefined {
  return deadline === undefined ? undefined : context.df.createTimer(deadline);
}

/** The error a job whose deadline passed ends with. */
export function deadlineExceeded(deadline: Date): FailureInfo {
  return {
    code: OrchestrationErrorCode.deadlineExceeded,
    message: `The job's deadline ${deadline.toISOString()} passed before it ended`,
    deadline: deadline.toISOString(),
  };
}
