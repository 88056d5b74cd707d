import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { TelemetryAttributeNames as A } from "../config/names.js";
import type { Reply } from "../contracts/index.js";
import { log } from "./log.js";
import { appMetrics } from "./metrics.js";
import { contextFrom } from "./trace-context.js";
import { appTracer, SpanNames } from "./tracer.js";

const replyFields = (reply: Reply) => ({
  job_id: reply.job_id,
  step_id: reply.step_id,
  attempt_no: reply.attempt_no,
  tenant_id: reply.tenant_id,
  correlation_id: reply.correlation_id,
  traceparent: reply.traceparent,
});

/**
 * Runs the handling of one valid reply inside its span: a consumer span continuing the
 * reply's traceparent (the worker's span, in the job's trace). `run` says what became of it.
 */
export async function traceReply<T extends { kind: string; reason?: string }>(reply: Reply, run: () => Promise<T>): Promise<T> {
  const span = appTracer().startSpan(
    SpanNames.reply,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [A.jobId]: reply.job_id,
        [A.stepId]: reply.step_id,
        [A.attemptNo]: reply.attempt_no,
        [A.tenantId]: reply.tenant_id,
        [A.replyType]: reply.type,
        "messaging.destination.name": "replies",
      },
    },
    contextFrom(reply.traceparent),
  );
  try {
    const outcome = await run();
    span.setAttribute(A.outcome, outcome.kind);
    if (outcome.reason) span.setAttribute(A.reason, outcome.reason);
    return outcome;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** A valid reply that changed nothing: counted by reason and logged. */
export function recordReplyIgnored(reply: Reply, reason: string): void {
  appMetrics().repliesIgnored.add(1, { [A.reason]: reason, [A.replyType]: reply.type });
  log.info("reply.ignored", `${reply.type} for ${reply.job_id}/${reply.step_id} attempt ${reply.attempt_no} ignored: ${reason}`, {
    ...replyFields(reply),
    reply_type: reply.type,
    reason,
  });
}

/** A message the app dead-lettered (a reply or directive it cannot read). */
export function recordDeadLettered(topic: string, reason: string, messageId: unknown, description: string): void {
  appMetrics().messagesDeadLettered.add(1, { [A.topic]: topic, [A.reason]: reason });
  log.warn("message.deadlettered", `dead-lettered message ${String(messageId)} from ${topic}: ${reason}`, {
    topic,
    reason,
    message_id: String(messageId),
    description: description.slice(0, 1024),
  });
}
