import { describe, expect, it } from "vitest";
import { JobState, StepState, canTransitionJob, canTransitionStep, isTerminalJobState, isTerminalStepState } from "../../lib/ledger/index.js";

const J = JobState;
const S = StepState;

/** The legal transitions as the brief states them, written out independently of the implementation's table. */
const legalJob = new Set([
  "QUEUED>RUNNING",
  "QUEUED>FAILED",
  "QUEUED>CANCELLING",
  "RUNNING>SUCCEEDED",
  "RUNNING>FAILED",
  "RUNNING>PAUSED",
  "RUNNING>CANCELLING",
  "RUNNING>AWAITING_APPROVAL",
  "AWAITING_APPROVAL>RUNNING",
  "AWAITING_APPROVAL>FAILED",
  "AWAITING_APPROVAL>CANCELLING",
  "PAUSED>RUNNING",
  "PAUSED>CANCELLING",
  "CANCELLING>CANCELLED",
  "CANCELLING>SUCCEEDED",
  "CANCELLING>FAILED",
]);

const legalStep = new Set([
  "PENDING>DISPATCHED",
  "PENDING>CANCELLED",
  "PENDING>AWAITING_APPROVAL",
  "PENDING>SKIPPED",
  "AWAITING_APPROVAL>SUCCEEDED",
  "AWAITING_APPROVAL>FAILED",
  "AWAITING_APPROVAL>CANCELLED",
  "DISPATCHED>ACKED",
  "DISPATCHED>RETRY_WAIT",
  "DISPATCHED>SUCCEEDED",
  "DISPATCHED>FAILED",
  "DISPATCHED>CANCELLED",
  "ACKED>SUCCEEDED",
  "ACKED>FAILED",
  "ACKED>RETRY_WAIT",
  "ACKED>CANCELLED",
  "RETRY_WAIT>DISPATCHED",
  "RETRY_WAIT>CANCELLED",
]);

const jobStates = Object.values(J);
const stepStates = Object.values(S);

describe("job state machine", () => {
  it.each(jobStates.flatMap((from) => jobStates.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    expect(canTransitionJob(from, to)).toBe(legalJob.has(`${from}>${to}`));
  });

  it("has exactly three terminal states, none with an exit", () => {
    expect(jobStates.filter(isTerminalJobState).sort()).toEqual([J.CANCELLED, J.FAILED, J.SUCCEEDED]);
    for (const terminal of jobStates.filter(isTerminalJobState)) {
      expect(jobStates.filter((to) => canTransitionJob(terminal, to))).toEqual([]);
    }
  });

  it("lets every non-terminal state be cancelled", () => {
    for (const from of [J.QUEUED, J.RUNNING, J.PAUSED, J.AWAITING_APPROVAL]) expect(canTransitionJob(from, J.CANCELLING)).toBe(true);
  });

  it("rejects values that are not states", () => {
    expect(canTransitionJob("NOPE" as JobState, J.RUNNING)).toBe(false);
    expect(canTransitionJob(J.QUEUED, "NOPE" as JobState)).toBe(false);
  });
});

describe("step state machine", () => {
  it.each(stepStates.flatMap((from) => stepStates.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    expect(canTransitionStep(from, to)).toBe(legalStep.has(`${from}>${to}`));
  });

  it("has exactly four terminal states (SKIPPED among them), none with an exit", () => {
    expect(stepStates.filter(isTerminalStepState).sort()).toEqual([S.CANCELLED, S.FAILED, S.SKIPPED, S.SUCCEEDED]);
    for (const terminal of stepStates.filter(isTerminalStepState)) {
      expect(stepStates.filter((to) => canTransitionStep(terminal, to))).toEqual([]);
    }
  });
});
