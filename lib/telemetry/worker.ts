import { SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { TelemetryAttributeNames as A } from "../config/names.js";
import type { Directive } from "../contracts/index.js";
import { log } from "./log.js";
import { contextFrom, traceparentOf } from "./trace-context.js";
import { appTracer, SpanNames } from "./tracer.js";

/** One worker's handling of a directive: its span, and the traceparent its replies carry. */
export interface WorkerAttemptTrace {
  /** The worker span's traceparent (same trace as the directive's): put it on every reply. */
  traceparent: string;
  end(outcome: string, failure?: { code?: string; message?: string }): void;
}

/** Starts the worker span as a child of the directive's traceparent. */
export function startWorkerAttempt(worker: string, directive: Directive): WorkerAttemptTrace {
  const span: Span = appTracer().startSpan(
    SpanNames.workerAttempt,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [A.jobId]: directive.job_id,
        [A.stepId]: directive.step_id,
        [A.attemptNo]: directive.attempt_no,
        [A.tenantId]: directive.tenant_id,
        [A.stepType]: directive.step_type,
        "lucius.worker": worker,
        "messaging.destination.name": "directives",
      },
    },
    contextFrom(directive.traceparent),
  );
  const traceparent = traceparentOf(span, directive.traceparent);
  const fields = {
    job_id: directive.job_id,
    step_id: directive.step_id,
    attempt_no: directive.attempt_no,
    tenant_id: directive.tenant_id,
    correlation_id: directive.correlation_id,
    traceparent,
    worker,
  };
  log.info("worker.attempt.started", `${worker} started ${directive.job_id}/${directive.step_id} attempt ${directive.attempt_no}`, fields);
  return {
    traceparent,
    end(outcome, failure) {
      span.setAttribute(A.outcome, outcome);
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failure.code ?? "FAILED"}: ${failure.message ?? ""}` });
      span.end();
      (failure ? log.warn : log.info)(
        "worker.attempt.finished",
        `${worker} ${outcome} ${directive.job_id}/${directive.step_id} attempt ${directive.attempt_no}`,
        { ...fields, outcome, ...(failure?.code ? { error_code: failure.code } : {}) },
      );
    },
  };
}
