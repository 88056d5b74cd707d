/**
 * Ledger requests per job (`node dist/bench/ledger-requests.js`): a 3-step job
 * (OCR->EMBEDDING->SIS) that succeeds first time, driven through the same
 * library code the app runs — `submitCommand`, then the orchestration's
 * activities in the current orchestrator's (v5) order, with each step's ACK and RESULT
 * through the reply handler — against an in-memory Azurite behind a counting
 * proxy. No Durable Functions and no bus: only the ledger's Table requests are
 * counted, from submit to SUCCEEDED, intake included.
 *
 * Jobs run one at a time (`sequential`), then `--concurrent N` at once (the
 * in-flight counters' group commit then shares writes between jobs). The last
 * line is one JSON object.
 *
 * Options: --jobs N (default 20), --concurrent N (default 10).
 */
import { startAzurite } from "../devhost/azurite.js";
import { appServices } from "../lib/services.js";
import { submitCommand } from "../lib/intake/submit-command.js";
import { handleReply } from "../lib/replies/handle-reply.js";
import { startJob } from "../lib/orchestration/activities/start-job.js";
import { beginAttempt } from "../lib/orchestration/activities/begin-attempt.js";
import { finishJob } from "../lib/orchestration/activities/settle.js";
import type { CarriedSettle } from "../lib/orchestration/types.js";
import { AppSettingNames } from "../lib/config/names.js";
import type { Directive } from "../lib/contracts/index.js";
import { option } from "./closed-loop.js";
import { tableProxy } from "./table-proxy.js";

const jobs = option("jobs", 20);
const concurrent = option("concurrent", 10);

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const proxy = await tableProxy(azurite.connectionString);
  const since = (start: number) => proxy.requests - start;
  try {
    Object.assign(process.env, {
      [AppSettingNames.storage]: proxy.connectionString,
      LUCIUS_TABLE_PREFIX: "count",
      LUCIUS_TENANT_INFLIGHT_LIMIT: "1000000",
      LUCIUS_GLOBAL_INFLIGHT_LIMIT: "1000000",
    });
    const services = await appServices();
    const accountUrl = services.settings.blobAccountUrl;
    const deps = {
      contracts: services.contracts,
      ledger: services.ledger,
      starter: { start: async () => undefined, ensureStarted: async () => undefined },
      limits: services.settings.inFlight,
      places: services.places,
    };
    const replyDeps = { contracts: services.contracts, ledger: services.ledger, stepDefaults: services.settings.stepDefaults, notify: async () => true };
    // The in-flight counters' first read happens once per process and tenant; warm them as a running app has.
    for (let n = -4; n < 0; n++) await runJob(n);

    async function runJob(n: number): Promise<void> {
      const tenant = `count-${(n + 4) % 4}`;
      const { job } = await submitCommand(
        {
          tenant_id: tenant,
          request_type: "OCR->EMBEDDING->SIS",
          input_ref: { uri: `${accountUrl}/inputs/${tenant}/${n}.png`, content_type: "image/png" },
          output_ref: `${accountUrl}/outputs/${tenant}/${n}/`,
          payload: {},
          schema_version: "v1",
          idempotency_key: `count-${n}-${Date.now()}`,
        },
        deps,
      );
      // As orchestration v5 runs it: the start opens the first attempt; a step's success rides on the
      // next step's dispatch, the last one on the job's end; ACKs are written, RESULTs raised.
      const plan = await startJob({ job_id: job.job_id, tenant_id: job.tenant_id, protocol_id: job.protocol_id, open_first: true }, services);
      let inputRef = plan.input_ref;
      let settle: CarriedSettle | undefined;
      for (const [index, step] of plan.steps.entries()) {
        const attempt = step.attempt_no + 1;
        const opened =
          index === 0 && plan.first
            ? plan.first
            : await beginAttempt(
                {
                  job_id: job.job_id,
                  step_id: step.step_id,
                  attempt_no: attempt,
                  input_ref: inputRef,
                  lease_ms: step.timing.lease_ms,
                  last: index === plan.steps.length - 1,
                  dispatch: true,
                  ...(settle ? { settle } : {}),
                },
                services,
              );
        if (opened.kind !== "dispatched") throw new Error("not dispatched");
        const d: Directive = opened.directive;
        const common = {
          job_id: d.job_id,
          step_id: d.step_id,
          tenant_id: d.tenant_id,
          attempt_no: d.attempt_no,
          lease_id: d.lease_id,
          timestamp: new Date().toISOString(),
        };
        const ack = await handleReply({ ...common, type: "ACK" }, replyDeps);
        const result = await handleReply({ ...common, type: "RESULT", status: "SUCCEEDED", output_ref: d.output_ref }, replyDeps);
        if (ack.kind !== "applied" || result.kind !== "applied") throw new Error(`replies not applied: ${JSON.stringify([ack, result])}`);
        settle = { step_id: d.step_id, attempt_no: attempt, lease_id: d.lease_id, to: "SUCCEEDED", output_ref: d.output_ref };
        inputRef = d.output_ref;
      }
      await finishJob({ job_id: job.job_id, state: "SUCCEEDED", output_ref: inputRef, ...(settle ? { settle } : {}) }, services);
      const done = await services.ledger.getJob(job.job_id);
      if (done?.state !== "SUCCEEDED") throw new Error(`job ended ${done?.state}`);
    }

    // Each job's closing check is a read of ours, not the job's: one request per job is taken off.
    let start = proxy.requests;
    for (let n = 1; n <= jobs; n++) await runJob(n);
    const sequential = (since(start) - jobs) / jobs;
    start = proxy.requests;
    await Promise.all(Array.from({ length: concurrent }, (_, i) => runJob(jobs + 1 + i)));
    const concurrentPerJob = (since(start) - concurrent) / concurrent;

    // Intake alone: the requests of one accepted command.
    start = proxy.requests;
    for (let n = 0; n < jobs; n++) {
      const tenant = `count-${n % 4}`;
      await submitCommand(
        {
          tenant_id: tenant,
          request_type: "OCR->EMBEDDING->SIS",
          input_ref: { uri: `${accountUrl}/inputs/${tenant}/i${n}.png`, content_type: "image/png" },
          output_ref: `${accountUrl}/outputs/${tenant}/i${n}/`,
          payload: {},
          schema_version: "v1",
          idempotency_key: `intake-${n}-${Date.now()}`,
        },
        deps,
      );
    }
    const intake = since(start) / jobs;
    console.log(
      `ledger Table requests per 3-step job: ${sequential} one at a time, ${concurrentPerJob} with ${concurrent} at once; ${intake} per accepted command at intake`,
    );
    console.log(
      JSON.stringify({
        jobs,
        concurrent,
        ledger_requests_per_job: sequential,
        ledger_requests_per_job_concurrent: concurrentPerJob,
        intake_requests_per_command: intake,
      }),
    );
  } finally {
    await proxy.close();
    await azurite.stop();
  }
  process.exit(0);
}

await main();
