import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isJobState, JobState, tenantKeyIssue, type Ledger } from "../ledger/index.js";
import { notFound, ProblemError, ProblemType } from "../http/problem.js";
import { jsonResponse } from "../http/responses.js";
import { mayUseTenant, type Caller } from "../auth/index.js";
import type { EventPage, JobPage, JobSteps, JobView } from "../contracts/index.js";
import { eventView, jobView, stepView } from "./views.js";

/** Largest page a client may ask for. */
export const maxPageSize = 200;
/** @default 50 */
export const defaultPageSize = 50;

function invalidQuery(parameter: string, message: string): ProblemError {
  return new ProblemError({
    type: ProblemType.invalidQuery,
    title: "Invalid query",
    status: 400,
    detail: `${parameter}: ${message}`,
    errors: [{ pointer: `/query/${parameter}`, message }],
  });
}

function pageSize(request: HttpRequest): number {
  const raw = request.query.get("limit");
  if (raw === null) return defaultPageSize;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > maxPageSize) throw invalidQuery("limit", `must be an integer from 1 to ${maxPageSize}`);
  return limit;
}

/** The job if it exists and belongs to one of the caller's tenants; another tenant's job is as unknown as a missing one. */
export async function callersJob(ledger: Ledger, caller: Caller, jobId: string, opts: { withSteps?: boolean } = {}) {
  const job = await ledger.getJob(jobId, opts);
  if (!job || !mayUseTenant(caller, job.tenant_id)) throw notFound(`No job ${jobId}`);
  return job;
}

/** GET /v1/jobs/{job_id}: the job with its steps. */
export async function getJob(jobId: string, ledger: Ledger, caller: Caller): Promise<HttpResponseInit> {
  const job = await callersJob(ledger, caller, jobId, { withSteps: true });
  return jsonResponse(200, jobView(job, job.steps ?? []) satisfies JobView);
}

/** GET /v1/jobs/{job_id}/steps */
export async function getJobSteps(jobId: string, ledger: Ledger, caller: Caller): Promise<HttpResponseInit> {
  const job = await callersJob(ledger, caller, jobId, { withSteps: true });
  return jsonResponse(200, { job_id: job.job_id, steps: (job.steps ?? []).map(stepView) } satisfies JobSteps);
}

/** GET /v1/jobs/{job_id}/events?limit=&continuation=: the audit timeline, oldest first. */
export async function getJobEvents(request: HttpRequest, jobId: string, ledger: Ledger, caller: Caller): Promise<HttpResponseInit> {
  const limit = pageSize(request);
  const continuation = request.query.get("continuation") ?? undefined;
  await callersJob(ledger, caller, jobId);
  const page = await ledger.listEvents(jobId, { limit, ...(continuation ? { continuation } : {}) });
  return jsonResponse(200, {
    job_id: jobId,
    events: page.events.map(eventView),
    ...(page.continuation ? { continuation: page.continuation } : {}),
  } satisfies EventPage);
}

/** GET /v1/jobs?tenant_id=&state=&limit=&continuation=: a tenant's jobs, newest first. */
export async function listJobs(request: HttpRequest, ledger: Ledger, caller: Caller): Promise<HttpResponseInit> {
  const tenantId = request.query.get("tenant_id");
  if (!tenantId || tenantId.trim() === "") throw invalidQuery("tenant_id", "is required");
  // 404 whether or not the tenant exists or has jobs: another tenant's listing reveals nothing.
  if (!mayUseTenant(caller, tenantId)) throw notFound(`No tenant ${tenantId.slice(0, 100)} among this credential's tenants`);
  const tenantIssue = tenantKeyIssue(tenantId);
  if (tenantIssue) throw invalidQuery("tenant_id", tenantIssue);
  const state = request.query.get("state") ?? undefined;
  if (state !== undefined && !isJobState(state)) {
    throw invalidQuery("state", `must be one of ${Object.values(JobState).join(", ")}`);
  }
  const limit = pageSize(request);
  const continuation = request.query.get("continuation") ?? undefined;
  // A forged or damaged continuation is the ledger's INVALID_CONTINUATION, answered 400 (lib/http/error-problems.ts).
  const page = await ledger.listJobs(tenantId, { limit, ...(state ? { state } : {}), ...(continuation ? { continuation } : {}) });
  return jsonResponse(200, {
    jobs: page.jobs.map((job) => jobView(job)),
    ...(page.continuation ? { continuation: page.continuation } : {}),
  } satisfies JobPage);
}
