import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";
import type { Ref } from "../contracts/index.js";
import type { JsonObject } from "../ledger/index.js";
import { ReviewDecision, rejection, timeoutReviewer, type ReviewEvent } from "../review/decision.js";
import { JobEventNames } from "./names.js";
import { activity } from "./activity-calls.js";
import { deadlineExceeded, deadlineOf, deadlineTimer } from "./deadline.js";
import type { CarriedSettle, JobPlan, PlannedStep, ReviewTiming, StepResult } from "./types.js";

/**
 * A REVIEW step (orchestration v4 on): `openReview` stops the job for a person or skips the step;
 * then the review event (written to the ledger by the API before it is raised), the cancel event
 * and the review's timeout race. An approval passes the input on to the next step; a rejection
 * fails the job. The timeout's decision goes through the ledger too, so a person who decided just
 * before it wins, and one just after is told 409.
 */
export function* runReview(
  context: OrchestrationContext,
  plan: JobPlan,
  step: PlannedStep & { review: ReviewTiming },
  inputRef: Ref,
  carried: CarriedSettle | undefined,
  metrics: JsonObject | undefined,
): Generator<Task, StepResult, unknown> {
  const retry = new df.RetryOptions(plan.activity_retry_ms, 5);
  retry.backoffCoefficient = 2;
  const opened = yield* activity.call(
    context,
    "openReview",
    {
      job_id: plan.job_id,
      step_id: step.step_id,
      input_ref: inputRef,
      ...(metrics ? { metrics } : {}),
      ...(carried ? { settle: carried } : {}),
    },
    retry,
  );
  if (opened.kind === "cancelled") return { kind: "cancelled" };
  if (opened.kind === "skipped") return { kind: "succeeded", output_ref: inputRef };
  context.df.setCustomStatus({ step_id: step.step_id, awaiting: "review", version: context.df.version });

  const timeoutAt = step.review.timeout_ms === undefined ? undefined : new Date(context.df.currentUtcDateTime.getTime() + step.review.timeout_ms);
  const jobDeadline = deadlineOf(context, plan);
  let timedOut = false;
  for (;;) {
    // Fresh waits each round: a task yielded again would be scheduled again.
    const decided = context.df.waitForExternalEvent(JobEventNames.review);
    const cancel = context.df.waitForExternalEvent(JobEventNames.cancel);
    const timeout = timeoutAt && !timedOut ? context.df.createTimer(timeoutAt) : undefined;
    const expiry = deadlineTimer(context, jobDeadline);
    const waits: Task[] = [decided, cancel, ...(timeout ? [timeout] : []), ...(expiry ? [expiry] : [])];
    const winner = (yield context.df.Task.any(waits)) as Task;
    if (timeout && winner !== timeout) timeout.cancel();
    if (expiry && winner !== expiry) expiry.cancel();
    if (winner === cancel || winner === expiry) {
      const stopped = winner === expiry ? deadlineExceeded(jobDeadline!) : undefined;
      yield* activity.call(context, "cancelReview", { job_id: plan.job_id, step_id: step.step_id, ...(stopped ? { error: stopped } : {}) }, retry);
      return stopped ? { kind: "failed", error: stopped } : { kind: "cancelled" };
    }
    if (winner === decided) {
      const event = decided.result as ReviewEvent;
      // A decision for another step (a redriven job's earlier review) is not this one's.
      if (event.step_id !== step.step_id) continue;
      return event.decision === ReviewDecision.approve
        ? { kind: "succeeded", output_ref: inputRef }
        : { kind: "failed", error: rejection(event.by, event.comment) };
    }
    timedOut = true;
    const recorded = yield* activity.call(
      context,
      "decideReview",
      {
        job_id: plan.job_id,
        step_id: step.step_id,
        decision: step.review.on_timeout,
        by: timeoutReviewer,
        comment: `No decision within ${Math.round(step.review.timeout_ms! / 1000)} s`,
      },
      retry,
    );
    if ((recorded.outcome === "decided" || recorded.outcome === "already") && recorded.decision === ReviewDecision.approve)
      return { kind: "succeeded", output_ref: inputRef };
    if (recorded.outcome === "decided" || recorded.outcome === "already") return { kind: "failed", error: recorded.error ?? rejection(timeoutReviewer) };
    // Cancelled meanwhile: the cancel event is on its way, and the next round hears it.
  }
}
