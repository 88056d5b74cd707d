import { isTerminal } from "../../devhost/durable/instance-state.js";
import { OrchestratorNames } from "../../lib/orchestration/names.js";
import type { RecordedHistory } from "./history-replay.js";
import { sleep, terminal, type LuciusUnderTest } from "./lucius-devhost.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepIs = (stepId: string, state: string) => (job: Record<string, any>) =>
  job.steps.some((s: { step_id: string; state: string }) => s.step_id === stepId && s.state === state);

/** Runs one job to its end and returns the job's final state. */
type Scenario = (lucius: LuciusUnderTest) => Promise<{ job_id: string; state: string }>;

const runToEnd = async (lucius: LuciusUnderTest, job_id: string) => ({ job_id, state: (await lucius.waitFor(job_id, terminal, "terminal")).state as string });

/** The runs whose histories are kept as replay fixtures, each with the job state it must end in. */
export const historyScenarios: Record<string, { ends: string; run: Scenario }> = {
  success: { ends: "SUCCEEDED", run: async (l) => runToEnd(l, (await l.submit("OCR->EMBEDDING")).job_id) },
  retry: { ends: "SUCCEEDED", run: async (l) => runToEnd(l, (await l.submit("OCR", { ocr: [{ do: "fail-retryable" }, { do: "succeed" }] })).job_id) },
  timeout: {
    ends: "SUCCEEDED",
    run: async (l) => runToEnd(l, (await l.submit("OCR", { ocr: [{ do: "no-ack" }, { do: "ack-then-silence" }, { do: "succeed" }] })).job_id),
  },
  heartbeats: {
    ends: "SUCCEEDED",
    run: async (l) => runToEnd(l, (await l.submit("OCR", { ocr: [{ do: "heartbeat-past-lease", heartbeats: 3, interval_ms: 1500 }] })).job_id),
  },
  cancel: {
    ends: "CANCELLED",
    run: async (l) => {
      const { job_id } = await l.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] });
      await l.waitFor(job_id, stepIs("ocr", "ACKED"), "ocr ACKED");
      await l.control(job_id, "cancel");
      return runToEnd(l, job_id);
    },
  },
  "pause-resume": {
    ends: "SUCCEEDED",
    run: async (l) => {
      // Should the lease run out during the pause after all, the retry succeeds: the history stays a finished one.
      const { job_id } = await l.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }, { do: "succeed" }] });
      await l.waitFor(job_id, stepIs("ocr", "ACKED"), "ocr ACKED");
      await l.control(job_id, "pause");
      await l.waitFor(job_id, (j) => j.state === "PAUSED", "PAUSED");
      l.release(job_id, "ocr", 1);
      await sleep(1000);
      await l.control(job_id, "resume");
      return runToEnd(l, job_id);
    },
  },
  redrive: {
    ends: "SUCCEEDED",
    run: async (l) => {
      const { job_id, tenant_id } = await l.submit("OCR->EMBEDDING", { embedding: [{ do: "fail-non-retryable" }] });
      await l.waitFor(job_id, terminal, "terminal");
      l.worker.scripts.set(tenant_id, {});
      await l.control(job_id, "redrive");
      await l.waitFor(job_id, (j) => j.state !== "FAILED", "redriven");
      return runToEnd(l, job_id);
    },
  },
};

const awaitingReview = (job: Record<string, unknown>) => job.state === "AWAITING_APPROVAL";
const reviewed = "OCR->REVIEW->EMBEDDING->SIS";
const unsure = { ocr: [{ do: "succeed" as const, metrics: { mean_confidence: 0.5 } }] };

/** v4 on: the review step's paths, and deadlines. */
export const reviewScenarios: Record<string, { ends: string; run: Scenario }> = {
  "review-approve": {
    ends: "SUCCEEDED",
    run: async (l) => {
      const { job_id } = await l.submit(reviewed, unsure);
      await l.waitFor(job_id, awaitingReview, "AWAITING_APPROVAL");
      await l.decide(job_id, "review", "approve", { comment: "checked" });
      return runToEnd(l, job_id);
    },
  },
  "review-reject": {
    ends: "FAILED",
    run: async (l) => {
      const { job_id } = await l.submit(reviewed, {}, { payload: { steps: { review: { when: "always" } } } });
      await l.waitFor(job_id, awaitingReview, "AWAITING_APPROVAL");
      await l.decide(job_id, "review", "reject", { comment: "unreadable" });
      return runToEnd(l, job_id);
    },
  },
  "review-skip": {
    ends: "SUCCEEDED",
    run: async (l) => runToEnd(l, (await l.submit(reviewed, { ocr: [{ do: "succeed", metrics: { mean_confidence: 0.97 } }] })).job_id),
  },
  "review-timeout": {
    ends: "SUCCEEDED",
    run: async (l) => runToEnd(l, (await l.submit("OCR->REVIEW(1s, approve)->EMBEDDING")).job_id),
  },
  "deadline-review": {
    ends: "FAILED",
    run: async (l) => {
      const deadline = new Date(Date.now() + 2000).toISOString();
      const { job_id } = await l.submit(reviewed, {}, { payload: { steps: { review: { when: "always" } } }, deadline });
      return runToEnd(l, job_id);
    },
  },
  "deadline-worker": {
    ends: "FAILED",
    run: async (l) => {
      const deadline = new Date(Date.now() + 2000).toISOString();
      return runToEnd(l, (await l.submit("OCR->EMBEDDING", { ocr: [{ do: "hold", interval_ms: 200 }] }, { deadline })).job_id);
    },
  },
  "review-cancel": {
    ends: "CANCELLED",
    run: async (l) => {
      const { job_id } = await l.submit(reviewed, unsure);
      await l.waitFor(job_id, awaitingReview, "AWAITING_APPROVAL");
      await l.control(job_id, "cancel");
      return runToEnd(l, job_id);
    },
  },
};

/** Waits for the orchestration (not just the ledger) to finish, then reads its history as devhost stored it. */
async function historyOf(lucius: LuciusUnderTest, scenario: string, instanceId: string): Promise<RecordedHistory> {
  for (let i = 0; i < 300; i++) {
    const state = await lucius.host.durable.getState(instanceId);
    if (state && isTerminal(state.runtimeStatus)) {
      // The test Azurite's port changes per run; one fixed port keeps re-recorded fixtures' diffs to what changed.
      const text = JSON.stringify((await lucius.host.durable.getHistory(instanceId)).map((e) => ({ ...e, Timestamp: new Date(e.Timestamp).toISOString() })));
      const events = JSON.parse(text.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:10000")) as RecordedHistory["events"];
      return {
        scenario,
        orchestrator: OrchestratorNames.job,
        instanceId,
        ...(state.input !== undefined ? { input: state.input } : {}),
        ...(state.version !== undefined ? { version: state.version } : {}),
        events,
      };
    }
    await sleep(100);
  }
  throw new Error(`the orchestration of ${scenario} (${instanceId}) never finished`);
}

/**
 * Runs the scenarios under `lucius`, one after the other (so a loaded machine
 * does not turn a pause into a lease timeout), and returns each history with
 * the job state it ended in.
 */
export async function recordHistories(lucius: LuciusUnderTest): Promise<Array<{ history: RecordedHistory; state: string; ends: string }>> {
  const recorded = [];
  for (const [scenario, { ends, run }] of Object.entries({ ...historyScenarios, ...reviewScenarios })) {
    const { job_id, state } = await run(lucius);
    recorded.push({ history: await historyOf(lucius, scenario, job_id), state, ends });
  }
  return recorded;
}
