import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { TelemetryAttributeNames as A } from "../config/names.js";
import type { Job } from "../ledger/index.js";
import { log } from "./log.js";
import { appMetrics } from "./metrics.js";
import { contextFrom } from "./trace-context.js";
import { appTracer, SpanNames } from "./tracer.js";

/** OrchestrationErrorCode.deadlineExceeded, named here so telemetry does not import the orchestration. */
const deadlineExceededCode = "DEADLINE_EXCEEDED";

/** Counts a review step that began to wait for a person (call once, where it was opened). */
export function recordReviewOpened(protocolId: string): void {
  appMetrics().reviewsOpened.add(1, { [A.protocolId]: protocolId });
}

/** Records how long a review step waited for its decision (call once, where the decision was written). */
export function recordReviewWait(openedAt: string, decision: "approve" | "reject" | "cancelled", decidedAt = new Date()): void {
  appMetrics().reviewWait.record(Math.max(0, decidedAt.getTime() - Date.parse(openedAt)), { [A.decision]: decision });
}

const jobFields = (job: Job) => ({ job_id: job.job_id, tenant_id: job.tenant_id, correlation_id: job.correlation_id, traceparent: job.traceparent });

/**
 * Records a job that reached its terminal state (call once, where the terminal write
 * succeeded): the terminal counter, a job span from acceptance to the end, and the log line.
 */
export function recordJobFinished(job: Job, endedAt = new Date()): void {
  const instruments = appMetrics();
  instruments.jobsTerminal.add(1, { [A.state]: job.state });
  instruments.jobDuration.record(Math.max(0, endedAt.getTime() - Date.parse(job.created_at)), { [A.protocolId]: job.protocol_id, [A.outcome]: job.state });
  if (job.error?.code === deadlineExceededCode) instruments.jobsDeadlineMissed.add(1, { [A.protocolId]: job.protocol_id });
  const span = appTracer().startSpan(
    SpanNames.job,
    {
      kind: SpanKind.INTERNAL,
      startTime: new Date(job.created_at),
      attributes: {
        [A.jobId]: job.job_id,
        [A.tenantId]: job.tenant_id,
        [A.state]: job.state,
        "lucius.protocol_id": job.protocol_id,
        ...(job.error ? { "lucius.error.code": job.error.code } : {}),
      },
    },
    contextFrom(job.traceparent),
  );
  if (job.state === "FAILED") span.setStatus({ code: SpanStatusCode.ERROR, message: job.error?.message ?? "failed" });
  span.end(endedAt);
  const detail = job.error ? ` (${job.error.code}: ${job.error.message})` : "";
  (job.state === "FAILED" ? log.warn : log.info)("job.finished", `job ${job.job_id} ${job.state}${detail}`, {
    ...jobFields(job),
    state: job.state,
    protocol_id: job.protocol_id,
  });
}
