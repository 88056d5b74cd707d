import type { ActivityHandler, OrchestrationContext, RetryOptions, Task } from "durable-functions";
import { appServices, type AppServices } from "../services.js";
import { ActivityRefusedError } from "./errors.js";
import { startJob } from "./activities/start-job.js";
import { beginAttempt } from "./activities/begin-attempt.js";
import { publishMessage } from "./activities/publish.js";
import { finishJob, readLease, settleStep } from "./activities/settle.js";
import { cancelReview, decideReview, openReview } from "./activities/review.js";

/**
 * The job orchestration's activities, by the name they are registered and called under. The
 * names, inputs and results of {@link activity.call} come from these functions, so a name cannot
 * drift from its function nor an input or result from its type. Renaming a key renames the
 * activity in new histories: running instances replay by the old name.
 */
export const jobActivities = {
  startJob,
  beginAttempt,
  publishMessage,
  readLease,
  settleStep,
  finishJob,
  /** v4 on: a review step opens (or is skipped)... */
  openReview,
  /** ...its timeout decides... */
  decideReview,
  /** ...or the job's cancel stops it. */
  cancelReview,
} as const;

export type ActivityName = keyof typeof jobActivities;

/** Every activity's name, in the table's order: what the orchestration app registers. */
export const activityNames = Object.keys(jobActivities) as readonly ActivityName[];

/** The activities' names, each its own value (the names tests and history checks look for). */
export const ActivityNames = Object.fromEntries(activityNames.map((name) => [name, name])) as { readonly [N in ActivityName]: N };

/** What activity `N` is called with. */
export type ActivityInput<N extends ActivityName> = Parameters<(typeof jobActivities)[N]>[0];

/**
 * What the orchestration gets back from activity `N`. An activity's undefined comes back as null
 * once it has been through history, so a result that may be undefined may be null too.
 */
export type ActivityResult<N extends ActivityName> = ThroughHistory<Awaited<ReturnType<(typeof jobActivities)[N]>>>;
type ThroughHistory<R> = undefined extends R ? Exclude<R, undefined> | null | undefined : R;

export const activity = {
  /**
   * Schedules activity `name` with `input` (with `retry`: retried by the Durable runtime) and
   * gives back its result; used as `yield* activity.call(...)`, it yields exactly the one task
   * a bare `yield context.df.callActivity…` would, so recorded histories replay unchanged.
   */
  *call<N extends ActivityName>(
    context: OrchestrationContext,
    name: N,
    input: ActivityInput<N>,
    retry?: RetryOptions,
  ): Generator<Task, ActivityResult<N>, unknown> {
    const task = retry ? context.df.callActivityWithRetry(name, retry, input) : context.df.callActivity(name, input);
    const result = yield task;
    if (isRefusal(result)) throw new ActivityRefusedError(result[refusalKey].code, result[refusalKey].message);
    // The one cast: the runtime hands back whatever the activity returned, as JSON.
    return result as ActivityResult<N>;
  },

  /**
   * The handler the Functions runtime runs for activity `name`, outside replay: the ledger and
   * the bus are touched here. An {@link ActivityRefusedError} is returned as a refusal, not thrown.
   */
  handler(name: ActivityName): ActivityHandler {
    // The input is what `call` scheduled for this name, typed there.
    const run = jobActivities[name] as (input: unknown, services: AppServices) => Promise<unknown>;
    return async (input: unknown) => {
      try {
        return await run(input, await appServices());
      } catch (error) {
        // Durable's retries cannot tell a permanent failure from a passing one: a refusal that
        // running again cannot change comes back as a result, and `call` throws it in the
        // orchestration at once instead of after every retry. Other errors (a bus refusing a
        // role that has not propagated yet, a storage outage) keep their retries.
        if (error instanceof ActivityRefusedError) return { [refusalKey]: { code: error.code, message: error.message } } satisfies Refusal;
        throw error;
      }
    };
  },
};

/** How an activity's permanent refusal travels through history. */
const refusalKey = "lucius_refused";
type Refusal = { [refusalKey]: { code: string; message: string } };

function isRefusal(result: unknown): result is Refusal {
  return typeof result === "object" && result !== null && refusalKey in result;
}
