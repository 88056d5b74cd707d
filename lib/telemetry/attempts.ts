import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { TelemetryAttributeNames as A } from "../config/names.js";
import type { FailureInfo, Step } from "../ledger/index.js";
import { log } from "./log.js";
import { appMetrics } from "./metrics.js";
import { contextFrom } from "./trace-context.js";
import { appTracer, SpanNames } from "./tracer.js";

/**
 * What the attempt's telemetry needs beyond the step row: taken from the directive by the
 * orchestrator (a pure copy, so replay-safe) and handed to the settling activity.
 */
export interface AttemptTrace {
  tenant_id: string;
  correlation_id?: string;
  traceparent?: string;
}

export function attemptTraceOf(directive: AttemptTrace): AttemptTrace {
  return {
    tenant_id: directive.tenant_id,
    ...(directive.correlation_id ? { correlation_id: directive.correlation_id } : {}),
    ...(directive.traceparent ? { traceparent: directive.traceparent } : {}),
  };
}

/** How the ledger settled an attempt, as its span, log line and metrics label it (the `outcome` attribute): `retried` is a failure the step retries after backoff. */
export const AttemptSettledAs = { succeeded: "succeeded", failed: "failed", retried: "retried", cancelled: "cancelled" } as const;
export type AttemptSettledAs = (typeof AttemptSettledAs)[keyof typeof AttemptSettledAs];

/** Why an attempt was retried. */
export const RetryCause = { ackTimeout: "ack_timeout", leaseExpired: "lease_expired", retryableFailure: "retryable_failure" } as const;
export type RetryCause = (typeof RetryCause)[keyof typeof RetryCause];

export function retryCauseOf(error: FailureInfo | undefined): RetryCause {
  if (error?.code === "ACK_TIMEOUT") return RetryCause.ackTimeout;
  if (error?.code === "LEASE_EXPIRED") return RetryCause.leaseExpired;
  return RetryCause.retryableFailure;
}

const outcomeOf = {
  SUCCEEDED: AttemptSettledAs.succeeded,
  FAILED: AttemptSettledAs.failed,
  RETRY_WAIT: AttemptSettledAs.retried,
  CANCELLED: AttemptSettledAs.cancelled,
} as const;

const stepFields = (step: Step, trace: AttemptTrace | undefined) => ({
  job_id: step.job_id,
  step_id: step.step_id,
  attempt_no: step.attempt_no,
  tenant_id: trace?.tenant_id,
  correlation_id: trace?.correlation_id,
  traceparent: trace?.traceparent,
});

/** Logs a directive about to be published (the attempt is open in the ledger). */
export function recordAttemptDispatched(step: Step, trace: AttemptTrace): void {
  log.info("attempt.dispatched", `${step.step_type} attempt ${step.attempt_no} of ${step.job_id}/${step.step_id} dispatched`, {
    ...stepFields(step, trace),
    step_type: step.step_type,
    lane: step.lane,
    lease_expires_at: step.lease_expires_at,
  });
}

/** A directive `beginAttempt` could not publish: the orchestration publishes it with retries instead. */
export function recordDispatchDeferred(step: Step, trace: AttemptTrace, error: unknown): void {
  log.warn(
    "attempt.dispatch_deferred",
    `${step.step_type} attempt ${step.attempt_no} of ${step.job_id}/${step.step_id} not published yet: ${String(error)}`,
    stepFields(step, trace),
  );
}

/** ACK latency: from the attempt's dispatch to the worker's ACK being applied. */
export function recordAck(step: Step, ackedAt: Date): void {
  if (!step.dispatched_at) return;
  appMetrics().stepAckLatency.record(Math.max(0, ackedAt.getTime() - Date.parse(step.dispatched_at)), { [A.stepType]: step.step_type });
}

/**
 * Records one settled attempt: its span, its duration, a retry with its cause, and the log line.
 * Orchestrators replay, so this runs in the settling activity (once per attempt, when its
 * ledger write succeeded): the span is created after the fact with `dispatched_at` as its
 * start time, as a child of the job's traceparent.
 */
export function recordAttemptOutcome(step: Step, to: keyof typeof outcomeOf, trace: AttemptTrace | undefined, endedAt = new Date()): void {
  const outcome = outcomeOf[to];
  const startedAt = step.dispatched_at ? new Date(step.dispatched_at) : endedAt;
  const attributes = { [A.stepType]: step.step_type, [A.outcome]: outcome };
  appMetrics().stepAttemptDuration.record(Math.max(0, endedAt.getTime() - startedAt.getTime()), attributes);
  const cause = outcome === AttemptSettledAs.retried ? retryCauseOf(step.error) : undefined;
  if (cause) appMetrics().stepRetries.add(1, { [A.cause]: cause, [A.stepType]: step.step_type });

  const span = appTracer().startSpan(
    SpanNames.attempt,
    {
      kind: SpanKind.INTERNAL,
      startTime: startedAt,
      attributes: {
        ...attributes,
        [A.jobId]: step.job_id,
        [A.stepId]: step.step_id,
        [A.attemptNo]: step.attempt_no,
        ...(trace ? { [A.tenantId]: trace.tenant_id } : {}),
        ...(step.lane !== undefined ? { "lucius.lane": step.lane } : {}),
        ...(cause ? { [A.cause]: cause } : {}),
        ...(step.error ? { "lucius.error.code": step.error.code } : {}),
      },
    },
    contextFrom(trace?.traceparent),
  );
  if (step.acked_at) span.addEvent("ack", new Date(step.acked_at));
  if (outcome === AttemptSettledAs.failed || outcome === AttemptSettledAs.retried)
    span.setStatus({ code: SpanStatusCode.ERROR, message: step.error?.message ?? outcome });
  span.end(endedAt);

  const detail = step.error ? ` (${step.error.code}: ${step.error.message})` : "";
  (outcome === AttemptSettledAs.failed ? log.warn : log.info)(
    "attempt.outcome",
    `${step.step_type} attempt ${step.attempt_no} of ${step.job_id}/${step.step_id} ${outcome}${detail}`,
    {
      ...stepFields(step, trace),
      step_type: step.step_type,
      outcome,
      ...(cause ? { cause } : {}),
      ...(step.error ? { error_code: step.error.code } : {}),
    },
  );
}
