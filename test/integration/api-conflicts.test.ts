import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString, uniqueTableNames } from "../support/storage.js";
import { JobState, Ledger } from "../../lib/ledger/index.js";
import type { TableNames } from "../../lib/config/names.js";
import { answer } from "../../lib/http/responses.js";
import { acceptCancel } from "../../lib/api/job-control.js";
import { AllTenants, CallerKind } from "../../lib/auth/caller.js";
import type { JobController } from "../../lib/intake/job-starter.js";
import { PROBLEM_CONTENT_TYPE, ProblemType } from "../../lib/http/problem.js";

const storage = { kind: "connectionString" as const, connectionString: azuriteConnectionString() };
let tables: TableNames;
beforeAll(() => {
  tables = uniqueTableNames();
});

const caller = { kind: CallerKind.apiKey, id: "conflicts", tenants: AllTenants };
const controller: JobController = {
  start: async () => undefined,
  ensureStarted: async () => undefined,
  cancel: async () => true,
  suspend: async () => undefined,
  resume: async () => undefined,
  status: async () => undefined,
  review: async () => true,
};
const errors: unknown[] = [];
const log = { error: (...args: unknown[]) => errors.push(args) };

describe("a storage conflict that outlasts the ledger's retries", () => {
  it("answers 503 problem+json with Retry-After, writes nothing, and the client's retry succeeds", async () => {
    // This process (one conditional write per change, so one lost race exhausts it) and another one.
    const here = await Ledger.connect({ storage, tables, tuning: { maxWriteAttempts: 1 } });
    const there = await Ledger.connect({ storage, tables, ensureTables: false });
    const created = await here.createJob(
      {
        tenant_id: "tenant-c",
        request_type: "OCR",
        protocol_id: "atomic-ocr.v1",
        input_ref: "https://acct/inputs/doc.png",
        output_ref: "https://acct/outputs/doc/",
        payload: {},
      },
      [{ step_id: "ocr", step_type: "OCR", service: "platform-ocr" }],
      { key: "conflict-1", bodyHash: "h" },
    );
    if (created.outcome !== "created") throw new Error(created.outcome);
    const jobId = created.job.job_id;
    // The other process moves the job after this one last saw it: this one's write meets a 412.
    await there.transitionJob(jobId, JobState.RUNNING);

    const refused = await answer(log, () => acceptCancel(jobId, { ledger: here, controller, caller }));
    expect(refused.status).toBe(503);
    expect(refused.headers).toMatchObject({ "Content-Type": PROBLEM_CONTENT_TYPE, "Retry-After": "1" });
    expect(JSON.parse(String(refused.body))).toMatchObject({ type: ProblemType.unavailable, status: 503, title: "Concurrent update" });
    expect(errors).toEqual([]);
    expect((await there.getJob(jobId))?.state).toBe(JobState.RUNNING);

    const retried = await answer(log, () => acceptCancel(jobId, { ledger: here, controller, caller }));
    expect(retried.status).toBe(202);
    expect((await there.getJob(jobId))?.state).toBe(JobState.CANCELLING);
  });
});
