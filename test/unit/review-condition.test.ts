import { describe, expect, it } from "vitest";
import { reviewCall } from "../../lib/review/condition.js";

const below = { metric: "mean_confidence", below: 0.8 };

describe("whether a review step stops the job", () => {
  it('always reviews without a condition, or with "always"', () => {
    expect(reviewCall(undefined, {}, { mean_confidence: 0.99 })).toEqual({ review: true, reason: "always" });
    expect(reviewCall("always", {}, undefined)).toEqual({ review: true, reason: "always" });
  });

  it("reviews when the metric is below the bound, and skips at or above it", () => {
    expect(reviewCall(below, {}, { mean_confidence: 0.5 })).toEqual({ review: true, reason: "metric", metric: "mean_confidence", value: 0.5 });
    expect(reviewCall(below, {}, { mean_confidence: 0.8 })).toEqual({ review: false, reason: "metric-passed", metric: "mean_confidence", value: 0.8 });
    expect(reviewCall(below, {}, { mean_confidence: 0.95 }).review).toBe(false);
  });

  it("reviews when the metric is above an upper bound", () => {
    const above = { metric: "page_count", above: 10 };
    expect(reviewCall(above, {}, { page_count: 12 }).review).toBe(true);
    expect(reviewCall(above, {}, { page_count: 10 }).review).toBe(false);
  });

  it.each([
    ["no metrics at all", undefined],
    ["another metric only", { pages: 3 }],
    ["a string", { mean_confidence: "0.95" }],
    ["not a finite number", { mean_confidence: Number.NaN }],
    ["null", { mean_confidence: null }],
  ])("reviews when the metric is missing or unusable (%s): fail safe", (_what, metrics) => {
    expect(reviewCall(below, {}, metrics as Record<string, unknown> | undefined)).toEqual({
      review: true,
      reason: "metric-missing",
      metric: "mean_confidence",
    });
  });

  it("reviews when the command asks for it, whatever the metric says", () => {
    expect(reviewCall(below, { when: "always" }, { mean_confidence: 0.99 })).toEqual({ review: true, reason: "requested" });
  });
});
