import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { jobOrchestrator } from "../../orchestrations/job-orchestrator.js";
import { ActivityNames } from "../../lib/orchestration/activity-calls.js";
import { currentJobOrchestrationVersion } from "../../lib/orchestration/version.js";
import { packageRoot } from "../../lib/paths.js";
import { createOrchestrator, describeDivergence, firstDivergence, type RecordedHistory } from "../support/history-replay.js";

// One folder per orchestration version (v1/, v2/, ...): instances of every version may still be running.
const historiesDir = join(packageRoot, "test/fixtures/histories");
const versions = readdirSync(historiesDir)
  .filter((d) => /^v\d+$/.test(d))
  .sort();
const historiesOf = (version: string) =>
  readdirSync(join(historiesDir, version))
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(historiesDir, version, f), "utf8")) as RecordedHistory);
const histories = versions.flatMap(historiesOf);
/** The current version's recording of a scenario. */
const byScenario = (name: string) => historiesOf(`v${currentJobOrchestrationVersion}`).find((h) => h.scenario === name)!;

const baseScenarios = ["cancel", "heartbeats", "pause-resume", "redrive", "retry", "success", "timeout"];
/** What v4 added: a review approved, rejected, skipped, cancelled and timed out; a deadline during a review and during a worker's step. */
const reviewScenarios = ["review-approve", "review-reject", "review-skip", "review-cancel", "review-timeout", "deadline-review", "deadline-worker"];

describe("recorded histories replayed through the current orchestrator", () => {
  it.each(versions)(
    "%s covers success, retry, timeout, cancel, pause/resume, redrive and heartbeats (v4 on: and the review and deadline paths), recorded with that version",
    (version) => {
      const recorded = historiesOf(version);
      const reviews = Number(version.slice(1)) >= 4 ? reviewScenarios : [];
      expect(recorded.map((h) => h.scenario).sort()).toEqual([...baseScenarios, ...reviews].sort());
      for (const h of recorded) expect(`v${h.version}`, h.scenario).toBe(version);
    },
  );

  it("has a recording of the version new instances are created with", () => {
    expect(versions).toContain(`v${currentJobOrchestrationVersion}`);
  });

  it.each(histories.map((h) => [`v${h.version} ${h.scenario}`, h] as const))(
    "%s: every decision and the outcome match the recording",
    async (_name, history) => {
      const divergence = await firstDivergence(createOrchestrator(jobOrchestrator), history);
      expect(divergence && describeDivergence(divergence)).toBeUndefined();
    },
  );
});

describe("the divergence detector", () => {
  const altered = (generator: OrchestrationHandler) => createOrchestrator(generator);

  it("names the history and the first decision when one extra activity is scheduled before the first step", async () => {
    const extraFirst = altered(function* (context: OrchestrationContext) {
      yield context.df.callActivity("checkQuota", null);
      return yield* jobOrchestrator(context) as Generator<unknown, unknown, unknown>;
    } as OrchestrationHandler);
    const divergence = await firstDivergence(extraFirst, byScenario("success"));
    expect(divergence).toEqual({
      scenario: "success",
      episode: 1,
      decision: 0,
      expected: `#0 activity ${ActivityNames.startJob}`,
      got: "#0 activity checkQuota",
    });
    expect(describeDivergence(divergence!)).toBe(
      `history "success" diverges in episode 1 at decision #0: recorded #0 activity ${ActivityNames.startJob}, current code #0 activity checkQuota`,
    );
  });

  it("finds a decision dropped deep in a history, and an outcome that differs", async () => {
    // The orchestrator as before, but a timed-out attempt is no longer cancelled at the worker.
    const timeout = byScenario("timeout");
    const withoutCancel = altered(function* (context: OrchestrationContext) {
      const inner = jobOrchestrator(context) as Generator<{ actionObj?: { functionName?: string; input?: { type?: string } } }, unknown, unknown>;
      let next = inner.next();
      while (!next.done) {
        const task = next.value;
        const isCancel = task.actionObj?.functionName === ActivityNames.publishMessage && task.actionObj.input?.type === "CANCEL";
        next = isCancel ? inner.next(undefined) : inner.next(yield task);
      }
      return next.value;
    } as OrchestrationHandler);
    const divergence = await firstDivergence(withoutCancel, timeout);
    expect(divergence?.scenario).toBe("timeout");
    expect(divergence?.expected).toBe(`#3 activity ${ActivityNames.publishMessage}`);
    expect(divergence?.got).toBe(`#3 activity ${ActivityNames.settleStep}`);

    const endsEarly = altered(function* (context: OrchestrationContext) {
      yield context.df.callActivity(ActivityNames.startJob, context.df.getInput());
      return { state: "SUCCEEDED" };
    } as OrchestrationHandler);
    expect(await firstDivergence(endsEarly, byScenario("success"))).toEqual({
      scenario: "success",
      episode: 2,
      decision: 1,
      expected: "#1 timer",
      got: "nothing",
    });

    const otherResult = altered(function* (context: OrchestrationContext) {
      const result = (yield* jobOrchestrator(context) as Generator<unknown, Record<string, unknown>, unknown>) as Record<string, unknown>;
      return { ...result, state: "FAILED" };
    } as OrchestrationHandler);
    const end = await firstDivergence(otherResult, byScenario("success"));
    expect(end).toMatchObject({ scenario: "success", decision: "end" });
    expect(end?.expected).toMatch(/^Completed .*"SUCCEEDED"/);
    expect(end?.got).toMatch(/^Completed .*"FAILED"/);
  });
});
