import { describe, expect, it } from "vitest";
import type { ProxyFault } from "../../bench/table-proxy.js";
import { JobState, StepState, type Ledger } from "../../lib/ledger/index.js";
import { twoSteps, useProxiedLedger } from "../support/proxied-ledger.js";

const fixture = useProxiedLedger();
let seq = 0;

/** A job's life through the ledger, as the orchestration and the reply handler move it. */
async function life(ledger: Ledger, jobId: string): Promise<void> {
  await ledger.transitionJob(jobId, JobState.RUNNING);
  await ledger.transitionStep(jobId, "ocr", StepState.DISPATCHED, { lease_id: "L1" });
  await ledger.patchJob(jobId, { current_step_id: "ocr" });
  await ledger.transitionStep(jobId, "ocr", StepState.ACKED, {}, { expect: { attempt_no: 1, lease_id: "L1" } });
  await ledger.patchStep(jobId, "ocr", { result_received_at: new Date().toISOString() });
  await ledger.transitionStep(jobId, "ocr", StepState.SUCCEEDED, { output_ref: "https://acct/workspaces/t/ocr/" });
  await ledger.transitionStep(jobId, "embedding", StepState.DISPATCHED, { lease_id: "L2" });
  await ledger.transitionStep(jobId, "embedding", StepState.SUCCEEDED, { output_ref: "https://acct/outputs/t/" });
  await ledger.transitionJob(jobId, JobState.SUCCEEDED, { current_step_id: null });
}

/** What the stored rows say against what their timeline says: every state a row holds was recorded, and nothing else. */
async function agreement(jobId: string) {
  const job = await fixture.ledger.getJob(jobId, { withSteps: true });
  const { events } = await fixture.ledger.listEvents(jobId, { limit: 1000 });
  const lastTo = (filter: (e: (typeof events)[number]) => boolean) => events.filter(filter).at(-1)?.details?.to;
  return {
    job: [job?.state, lastTo((e) => e.type === "JOB_STATE_CHANGED") ?? JobState.QUEUED],
    steps: job?.steps?.map((s) => [s.step_id, s.state, lastTo((e) => e.type === "STEP_STATE_CHANGED" && e.step_id === s.step_id) ?? StepState.PENDING]),
  };
}

describe("a state change and its event are written together", () => {
  it.each<ProxyFault>(["drop-request", "drop-answer"])(
    "a process killed at any request of a job's life (%s) leaves every row agreeing with its timeline",
    async (fault) => {
      let completed = false;
      for (let at = 1; !completed; at++) {
        const result = await fixture.ledger.createJob(
          {
            tenant_id: "tenant-atomic",
            request_type: "OCR->EMBEDDING",
            protocol_id: "ocr-embedding.v1",
            input_ref: "https://acct/in",
            output_ref: "https://acct/out/",
            payload: {},
          },
          twoSteps,
          { key: `atomic-${fault}-${++seq}`, bodyHash: "h" },
        );
        if (result.outcome !== "created") throw new Error(result.outcome);
        const jobId = result.job.job_id;
        // A fresh process each time, with no rows in hand: it reads what it needs, as after a restart.
        const victim = await fixture.viaProxy();
        fixture.proxy.arm(at, fault);
        completed = await life(victim, jobId).then(
          () => true,
          () => false, // the process died here: nothing more is written for this job
        );
        fixture.proxy.disarm();
        const seen = await agreement(jobId);
        expect(seen.job[0], `killed at request ${at}`).toBe(seen.job[1]);
        for (const [stepId, state, recorded] of seen.steps ?? []) expect(state, `step ${stepId}, killed at request ${at}`).toBe(recorded);
        if (at > 60) throw new Error("the job's life never completed");
      }
    },
  );
});
