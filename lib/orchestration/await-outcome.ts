import type { OrchestrationContext, Task } from "durable-functions";
import type { Directive, Reply } from "../contracts/index.js";
import { JobEventNames } from "./names.js";
import { activity } from "./activity-calls.js";
import type { AttemptEnd, PlannedStep, RaisedReply } from "./types.js";
import { deadlineTimer } from "./deadline.js";

/** Whether a raised reply belongs to this attempt; anything else is a late or stray reply. */
function belongsTo(reply: Reply, directive: Directive): boolean {
  return (
    reply.job_id === directive.job_id &&
    reply.step_id === directive.step_id &&
    reply.attempt_no === directive.attempt_no &&
    reply.lease_id === directive.lease_id
  );
}

/**
 * Waits for one attempt to end: ACK within `ack_ms`, then RESULT before the
 * lease runs out. Heartbeats move the lease deadline in the ledger; when the
 * lease timer fires, the deadline is read back, and only a deadline that has
 * really passed ends the attempt. Every wait races a cancel event, and a
 * losing timer is cancelled so it does not keep the instance alive.
 *
 * Without `ackEvent` (v3 on) the ACK is only in the ledger: the ACK timer's
 * firing reads the lease back like the lease timer does, and no lease there
 * means no ACK came. A worker that answers within `ack_ms` costs one wake-up,
 * its RESULT.
 */
export function* awaitOutcome(
  context: OrchestrationContext,
  step: PlannedStep,
  directive: Directive,
  ackEvent = true,
  jobDeadline?: Date,
): Generator<Task, AttemptEnd, unknown> {
  let phase: "ack" | "lease" = "ack";
  let deadline = new Date(context.df.currentUtcDateTime.getTime() + step.timing.ack_ms);
  for (;;) {
    const timer = context.df.createTimer(deadline);
    const reply = context.df.waitForExternalEvent(JobEventNames.reply);
    const cancel = context.df.waitForExternalEvent(JobEventNames.cancel);
    // v4 on, for a job with a deadline: the deadline races the rest.
    const expiry = deadlineTimer(context, jobDeadline);
    const winner = (yield context.df.Task.any(expiry ? [reply, cancel, timer, expiry] : [reply, cancel, timer])) as Task;
    if (winner !== timer) timer.cancel();
    if (expiry && winner !== expiry) expiry.cancel();

    if (winner === expiry) return { kind: "deadline" };
    if (winner === cancel) return { kind: "cancelled" };
    if (winner === reply) {
      const message = reply.result as RaisedReply;
      if (!belongsTo(message, directive)) continue;
      if (message.type === "RESULT") return { kind: "result", reply: message };
      if (message.type === "ACK" && phase === "ack") {
        phase = "lease";
        deadline = new Date(directive.lease_expires_at);
      }
      continue;
    }
    if (phase === "ack" && ackEvent) return { kind: "timeout", phase };
    const extended = yield* activity.call(context, "readLease", {
      job_id: directive.job_id,
      step_id: directive.step_id,
      attempt_no: directive.attempt_no,
    });
    // An activity's undefined comes back as null once it has been through history.
    if (!extended) return { kind: "timeout", phase };
    phase = "lease";
    if (new Date(extended) <= context.df.currentUtcDateTime) return { kind: "timeout", phase };
    deadline = new Date(extended);
  }
}
