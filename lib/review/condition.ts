import type { ReviewWhen } from "../contracts/index.js";

/** The registry step type Lucius runs itself: a person approves or rejects; no worker, no service. */
export const ReviewStepType = "REVIEW" as const;

/** The service recorded on a review step's row: Lucius itself. */
export const reviewService = "lucius";

/** Whether a review step stops the job, and why (recorded on the step's event). */
export interface ReviewCall {
  review: boolean;
  /** "always", "requested" (the command asked), "metric" (the condition held), "metric-missing" or "metric-passed". */
  reason: string;
  metric?: string;
  value?: number;
}

/**
 * Decides whether the job stops for a review. The command's `{ "when": "always" }` for the step
 * overrides the registry; the registry's `when` defaults to "always". A condition reads the previous
 * step's RESULT `metrics`: a metric that is missing or not a number calls for a review (fail safe).
 */
export function reviewCall(
  when: ReviewWhen | undefined,
  payload: Readonly<Record<string, unknown>> | undefined,
  metrics: Readonly<Record<string, unknown>> | undefined,
): ReviewCall {
  if (payload?.when === "always") return { review: true, reason: "requested" };
  if (when === undefined || when === "always") return { review: true, reason: "always" };
  const value = metrics?.[when.metric];
  if (typeof value !== "number" || !Number.isFinite(value)) return { review: true, reason: "metric-missing", metric: when.metric };
  const holds = (when.below !== undefined && value < when.below) || (when.above !== undefined && value > when.above);
  return { review: holds, reason: holds ? "metric" : "metric-passed", metric: when.metric, value };
}
