import { describe, expect, it } from "vitest";
import { readOpenTasks, retryDelayMs, type LibraryTask } from "../../devhost/durable/open-tasks.js";

describe("devhost retry schedule", () => {
  it("follows first interval × coefficient^(failures−1), capped by the max interval", () => {
    const options = { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 5, backoffCoefficient: 2 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(options, n))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs({ ...options, maxRetryIntervalInMilliseconds: 250 }, 3)).toBe(250);
    expect(retryDelayMs({ firstRetryIntervalInMilliseconds: 30, maxNumberOfAttempts: 3 }, 3)).toBe(30);
  });

  it("reads a retry's hidden tasks: a timer while waiting, then the activity again", () => {
    const action = { actionType: 1, functionName: "flaky", input: '"x"' };
    const retry = {
      id: false as const,
      action,
      retryOptions: { firstRetryIntervalInMilliseconds: 50, maxNumberOfAttempts: 3, backoffCoefficient: 2 },
      attemptNumber: 3,
      isWaitingOnTimer: true,
      innerTask: { id: 0, action } as LibraryTask,
    };
    const now = new Date("2030-01-01T00:00:00Z");
    const waiting = readOpenTasks({ 3: { id: 3, action: "noOp", parent: retry } }, now);
    expect(waiting).toEqual([{ kind: "timer", id: 3, fireAt: new Date(now.getTime() + 100), retry: true }]);
    const again = readOpenTasks({ 4: { id: 4, action: "noOp", parent: { ...retry, isWaitingOnTimer: false } } }, now);
    expect(again).toEqual([{ kind: "activity", id: 4, name: "flaky", input: '"x"' }]);
  });
});
