import type { AckReply, Directive, HeartbeatReply, ReplyError, ResultReply } from "../../lib/worker-kit.js";
import type { FailureClass } from "./errors.js";
import type { StepOutput } from "./types.js";

type Common = Pick<AckReply, "job_id" | "step_id" | "tenant_id" | "attempt_no" | "lease_id" | "timestamp" | "correlation_id" | "traceparent">;

function common(d: Directive): Common {
  return {
    job_id: d.job_id,
    step_id: d.step_id,
    tenant_id: d.tenant_id,
    attempt_no: d.attempt_no,
    lease_id: d.lease_id,
    timestamp: new Date().toISOString(),
    ...(d.correlation_id ? { correlation_id: d.correlation_id } : {}),
    ...(d.traceparent ? { traceparent: d.traceparent } : {}),
  };
}

export const ackFor = (d: Directive): AckReply => ({ type: "ACK", ...common(d) });

export function heartbeatFor(d: Directive, sequence: number, progress?: number, details?: Record<string, unknown>): HeartbeatReply {
  return {
    type: "HEARTBEAT",
    ...common(d),
    sequence,
    ...(progress !== undefined ? { progress: Math.min(1, Math.max(0, progress)) } : {}),
    ...(details ? { details } : {}),
  };
}

export function succeededFor(d: Directive, output: StepOutput): ResultReply {
  return {
    type: "RESULT",
    ...common(d),
    status: "SUCCEEDED",
    output_ref: output.output_ref,
    ...(output.artifact_refs?.length ? { artifact_refs: output.artifact_refs } : {}),
    ...(output.metrics ? { metrics: output.metrics } : {}),
  };
}

export function failedFor(d: Directive, failure: { failure_class: FailureClass; error: ReplyError }, metrics?: Record<string, unknown>): ResultReply {
  return { type: "RESULT", ...common(d), status: "FAILED", ...failure, ...(metrics ? { metrics } : {}) };
}
