import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import type { CancelMessage, Directive, Ref } from "../lib/contracts/index.js";
import type { FailureInfo, JsonObject } from "../lib/ledger/index.js";
import { JobEventNames, OrchestratorNames, type JobOrchestrationInput } from "../lib/orchestration/names.js";
import { awaitOutcome } from "../lib/orchestration/await-outcome.js";
import { JobOrchestrationVersions, carriesSettlements, dispatchesWithAttempt, runsReviews, startsWithDispatch } from "../lib/orchestration/version.js";
import { backoffBefore } from "../lib/orchestration/step-timing.js";
import { attemptTraceOf } from "../lib/telemetry/attempts.js";
import { liesWithin } from "../lib/refs/ref-path.js";
import { refUri } from "../lib/refs/ref-store.js";
import { activity, activityNames } from "../lib/orchestration/activity-calls.js";
import {
  OrchestrationErrorCode,
  type CarriedSettle,
  type DispatchedAttempt,
  type FinishJobRequest,
  type JobPlan,
  type PlannedStep,
  type SettleStepRequest,
  type StepResult,
} from "../lib/orchestration/types.js";
import { runReview } from "../lib/orchestration/run-review.js";
import { deadlineExceeded, deadlineOf, deadlineTimer } from "../lib/orchestration/deadline.js";

function cancelOf(directive: Directive): CancelMessage {
  const { payload: _payload, ...rest } = directive;
  return { ...rest, type: "CANCEL" };
}

/** A throttled or unavailable bus is waited out for minutes before the step fails; nothing is dropped. */
function publishRetry(activityRetryMs: number): df.RetryOptions {
  const retry = new df.RetryOptions(activityRetryMs, 10);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60 * activityRetryMs;
  return retry;
}

/**
 * A CANCEL only spares the worker useless work: once the step moves on its replies are ignored,
 * so a bus outage that outlasts the publish retries must not fail the job.
 */
function* stopWorker(context: OrchestrationContext, directive: Directive, activityRetryMs: number): Generator<Task, void, unknown> {
  try {
    yield* activity.call(context, "publishMessage", cancelOf(directive), publishRetry(activityRetryMs));
  } catch {
    // The worker finds out from its lease running out.
  }
}

/**
 * One step, attempt after attempt: open the attempt (lease, routing), publish
 * the directive, wait for its outcome, and settle it — success, a failure
 * worth retrying after backoff, or the end of the step.
 */
function* runStep(
  context: OrchestrationContext,
  plan: JobPlan,
  step: PlannedStep,
  inputRef: Ref,
  last: boolean,
  carried?: CarriedSettle,
  first?: DispatchedAttempt,
): Generator<Task, StepResult, unknown> {
  const version = context.df.version ?? JobOrchestrationVersions.unversioned;
  const retry = new df.RetryOptions(plan.activity_retry_ms, 5);
  retry.backoffCoefficient = 2;
  const jobDeadline = deadlineOf(context, plan);
  for (let attempt = step.attempt_no + 1; ; attempt++) {
    // From v5 the job's start opened the first attempt.
    const opened =
      first ??
      (yield* activity.call(
        context,
        "beginAttempt",
        {
          job_id: plan.job_id,
          step_id: step.step_id,
          attempt_no: attempt,
          input_ref: inputRef,
          lease_ms: step.timing.lease_ms,
          last,
          ...(carried ? { settle: carried } : {}),
          ...(dispatchesWithAttempt(version) ? { dispatch: true } : {}),
        },
        retry,
      ));
    first = undefined;
    carried = undefined;
    if (opened.kind === "cancelled") return { kind: "cancelled" };
    const directive = opened.directive;
    // A RESULT not written on arrival (v3 on) is recorded by the settlement.
    let receipt: { result_received_at?: string } = {};
    const settlement = (request: Omit<SettleStepRequest, "job_id" | "step_id" | "attempt_no" | "lease_id">): CarriedSettle => ({
      step_id: step.step_id,
      attempt_no: attempt,
      lease_id: directive.lease_id,
      trace: attemptTraceOf(directive),
      ...receipt,
      ...request,
    });
    const settle = (request: Omit<SettleStepRequest, "job_id" | "step_id" | "attempt_no" | "lease_id">) =>
      activity.call(context, "settleStep", { job_id: plan.job_id, ...settlement(request) }, retry);
    context.df.setCustomStatus({ step_id: step.step_id, attempt_no: attempt, version });

    // From v3 beginAttempt has published it, unless the bus failed it then.
    if (!opened.published) {
      try {
        yield* activity.call(context, "publishMessage", directive, publishRetry(plan.activity_retry_ms));
      } catch {
        const error = { code: OrchestrationErrorCode.dispatchFailed, message: `The ${step.step_type} directive could not be published` };
        yield* settle({ to: "FAILED", error });
        return { kind: "failed", error };
      }
    }

    const outcome = yield* awaitOutcome(context, step, directive, opened.ack_event !== false, jobDeadline);
    if (outcome.kind === "result" && outcome.reply.received_at) receipt = { result_received_at: outcome.reply.received_at };
    if (outcome.kind === "deadline") {
      // Whatever the worker is doing no longer counts: it is told to stop, and the job fails.
      const error = deadlineExceeded(jobDeadline!);
      yield* stopWorker(context, directive, plan.activity_retry_ms);
      yield* settle({ to: "CANCELLED", error });
      return { kind: "failed", error };
    }
    if (outcome.kind === "cancelled") {
      yield* stopWorker(context, directive, plan.activity_retry_ms);
      yield* settle({ to: "CANCELLED" });
      return { kind: "cancelled" };
    }
    const claimed = outcome.kind === "result" ? outcome.reply.output_ref : undefined;
    const stray = claimed !== undefined && !liesWithin(refUri(claimed), refUri(directive.output_ref));
    if (outcome.kind === "result" && outcome.reply.status === "SUCCEEDED" && !stray) {
      const output = claimed ?? directive.output_ref;
      // From v2 a success is written with the next step's dispatch (or the job's end), in one batch.
      // From v4 the RESULT's metrics go to a review step after it, which may decide on them.
      const metrics = runsReviews(version) && outcome.reply.metrics ? { metrics: outcome.reply.metrics } : {};
      if (carriesSettlements(version))
        return { kind: "succeeded", output_ref: output, settle: settlement({ to: "SUCCEEDED", output_ref: output }), ...metrics };
      yield* settle({ to: "SUCCEEDED", output_ref: output });
      return { kind: "succeeded", output_ref: output };
    }

    let error: FailureInfo;
    let retryable: boolean;
    if (outcome.kind === "result" && outcome.reply.status === "SUCCEEDED") {
      // The next step would read (and the job would report) whatever the RESULT names: only where the step was told to write counts.
      error = {
        code: OrchestrationErrorCode.outputOutsideTarget,
        message: `The ${step.step_type} RESULT names output ${refUri(claimed!)}, outside ${refUri(directive.output_ref)} where the step was told to write`,
      };
      retryable = false;
    } else if (outcome.kind === "result") {
      const failed = outcome.reply;
      error = {
        code: failed.error?.code ?? "WORKER_FAILED",
        message: failed.error?.message ?? "The worker reported a failure",
        ...(failed.error?.details ? { details: failed.error.details } : {}),
      };
      retryable = failed.failure_class === "RETRYABLE";
    } else {
      // A silent worker may still be busy: tell it to stop before the next attempt.
      yield* stopWorker(context, directive, plan.activity_retry_ms);
      error =
        outcome.phase === "ack"
          ? { code: OrchestrationErrorCode.ackTimeout, message: `No ACK for attempt ${attempt} within ${step.timing.ack_ms} ms` }
          : { code: OrchestrationErrorCode.leaseExpired, message: `Lease of attempt ${attempt} expired without RESULT` };
      retryable = true;
    }
    const attemptsInBudget = attempt - step.attempt_base;
    if (!retryable || attemptsInBudget >= step.timing.max_attempts) {
      const final = retryable ? { ...error, attempts: attemptsInBudget, reason: OrchestrationErrorCode.attemptsExhausted } : error;
      yield* settle({ to: "FAILED", error: final, failure_class: retryable ? "RETRYABLE" : "NON_RETRYABLE" });
      return { kind: "failed", error: final };
    }
    yield* settle({ to: "RETRY_WAIT", error, failure_class: "RETRYABLE" });
    const wakeAt = new Date(context.df.currentUtcDateTime.getTime() + backoffBefore(step.timing, attemptsInBudget + 1));
    const timer = context.df.createTimer(wakeAt);
    const cancel = context.df.waitForExternalEvent(JobEventNames.cancel);
    const expiry = deadlineTimer(context, jobDeadline);
    const winner = (yield context.df.Task.any(expiry ? [timer, cancel, expiry] : [timer, cancel])) as Task;
    if (expiry && winner !== expiry) expiry.cancel();
    if (winner === expiry) {
      timer.cancel();
      const error = deadlineExceeded(jobDeadline!);
      yield* settle({ to: "CANCELLED", error });
      return { kind: "failed", error };
    }
    if (winner === cancel) {
      timer.cancel();
      yield* settle({ to: "CANCELLED" });
      return { kind: "cancelled" };
    }
  }
}

/**
 * A job: its protocol's steps in order, each step's output the next one's
 * input, and the last output the job's. Instance id = job_id.
 */
export const jobOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<JobOrchestrationInput>();
  const version = context.df.version ?? JobOrchestrationVersions.unversioned;
  const plan = yield* activity.call(context, "startJob", startsWithDispatch(version) ? { ...input, open_first: true } : input, new df.RetryOptions(1000, 5));
  const finish = (request: Omit<FinishJobRequest, "job_id">) =>
    activity.call(context, "finishJob", { job_id: plan.job_id, ...request }, new df.RetryOptions(plan.activity_retry_ms, 5));
  if (plan.state === "CANCELLING") {
    // A rerun of a v5 start that a cancel overtook: the worker it dispatched is told to stop.
    if (plan.first) yield* stopWorker(context, plan.first.directive, plan.activity_retry_ms);
    yield* finish({ state: "CANCELLED" });
    return { job_id: plan.job_id, state: "CANCELLED" };
  }

  let inputRef = plan.input_ref;
  let carried: CarriedSettle | undefined;
  // The last RESULT's metrics, for a review step that decides on them (v4 on).
  let metrics: JsonObject | undefined;
  for (const [index, step] of plan.steps.entries()) {
    const { review } = step;
    const result =
      review && runsReviews(version)
        ? yield* runReview(context, plan, { ...step, review }, inputRef, carried, metrics)
        : yield* runStep(context, plan, step, inputRef, index === plan.steps.length - 1, carried, index === 0 ? plan.first : undefined);
    if (result.kind === "cancelled") {
      yield* finish({ state: "CANCELLED" });
      return { job_id: plan.job_id, state: "CANCELLED" };
    }
    if (result.kind === "failed") {
      yield* finish({ state: "FAILED", error: { ...result.error, step_id: step.step_id } });
      return { job_id: plan.job_id, state: "FAILED", error: result.error };
    }
    inputRef = result.output_ref;
    carried = result.settle;
    metrics = "metrics" in result ? result.metrics : undefined;
  }
  yield* finish({ state: "SUCCEEDED", output_ref: inputRef, ...(carried ? { settle: carried } : {}) });
  return { job_id: plan.job_id, state: "SUCCEEDED", output_ref: inputRef };
};

df.app.orchestration(OrchestratorNames.job, jobOrchestrator);
// Registered from the table the orchestration calls them through: a name cannot drift from its function.
for (const name of activityNames) df.app.activity(name, { handler: activity.handler(name) });
