import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Ledger } from "../ledger/index.js";
import { notFound, ProblemError, ProblemType } from "../http/problem.js";
import { jsonResponse } from "../http/responses.js";
import { readJsonBody } from "../http/json-body.js";
import { callerLabel, CallerRole, forbiddenRole, hasRole, type Caller } from "../auth/index.js";
import { recordReviewDecision, type ReviewDecision, type ReviewEvent } from "../review/decision.js";
import type { JobAccepted } from "../contracts/index.js";
import { callersJob } from "./jobs.js";
import { jobLinks } from "./views.js";
import { log } from "../telemetry/log.js";

/** Raises a review decision to the job's orchestration; false when it has none. */
export type ReviewRaiser = (jobId: string, event: ReviewEvent) => Promise<boolean>;

export interface ReviewDependencies {
  ledger: Ledger;
  raise: ReviewRaiser;
  caller: Caller;
  maxBodyBytes: number;
}

/** Longest comment kept on the step's event. */
export const maxCommentLength = 2000;

function invalidBody(message: string, pointer = "/comment"): ProblemError {
  return new ProblemError({ type: ProblemType.validation, title: "Validation failed", status: 422, detail: message, errors: [{ pointer, message }] });
}

/** The optional `{ "comment": "…" }`; no body at all is no comment. */
async function commentOf(request: HttpRequest, maxBytes: number): Promise<string | undefined> {
  const length = request.headers.get("content-length");
  if (request.headers.get("content-type") === null && (length === null || length === "0")) return undefined;
  const body = await readJsonBody(request, { maxBytes });
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidBody("The body must be an object", "");
  const extra = Object.keys(body).filter((key) => key !== "comment");
  if (extra.length > 0) throw invalidBody(`Unknown field ${extra[0]}; only "comment" is taken`, `/${extra[0]}`);
  const { comment } = body as { comment?: unknown };
  if (comment === undefined) return undefined;
  if (typeof comment !== "string") throw invalidBody("comment must be a string");
  if (comment.length > maxCommentLength) throw invalidBody(`comment must be at most ${maxCommentLength} characters`);
  return comment;
}

/**
 * POST /v1/jobs/{job_id}/steps/{step_id}/approve | reject: the decision goes to the ledger first
 * (step and event, with who decided and the comment), conditional on the step awaiting approval,
 * and only then to the orchestration. The 202 names the job's state as the decision left it:
 * RUNNING once approved, still AWAITING_APPROVAL once rejected (its orchestration ends it FAILED
 * right after). A step that is not awaiting approval — decided already,
 * timed out, cancelled — is 409 and nothing is written or raised.
 */
export async function decideStep(
  request: HttpRequest,
  jobId: string,
  stepId: string,
  decision: ReviewDecision,
  deps: ReviewDependencies,
): Promise<HttpResponseInit> {
  const job = await callersJob(deps.ledger, deps.caller, jobId);
  if (!hasRole(deps.caller, CallerRole.review)) throw forbiddenRole(CallerRole.review, `${decision} a review`);
  const comment = await commentOf(request, deps.maxBodyBytes);
  const by = callerLabel(deps.caller);
  const event: ReviewEvent = { step_id: stepId, decision, by, ...(comment !== undefined ? { comment } : {}) };
  const recorded = await recordReviewDecision(deps.ledger, { job_id: jobId, ...event });
  if (!recorded || recorded.outcome === "unknown-step") throw notFound(`Job ${jobId} has no step ${stepId}`);
  if (recorded.outcome !== "decided") {
    const state = recorded.outcome === "refused" ? recorded.step_state : recorded.decision === "approve" ? "SUCCEEDED" : "FAILED";
    throw new ProblemError({
      type: ProblemType.conflict,
      title: "Step is not awaiting approval",
      status: 409,
      detail: `Cannot ${decision} step ${stepId} of job ${jobId}: it is ${state}, not AWAITING_APPROVAL`,
      state: recorded.outcome === "refused" ? recorded.job_state : job.state,
      ...(state !== undefined ? { step_state: state } : {}),
    });
  }
  // Written but not heard (no instance): the review's timeout, or the reconciler, finds the decision in the ledger.
  await deps.raise(jobId, event);
  log.info("job.review", `${decision} recorded for job ${jobId} step ${stepId}`, {
    job_id: jobId,
    tenant_id: job.tenant_id,
    correlation_id: job.correlation_id,
    traceparent: job.traceparent,
    action: decision,
    caller: by,
  });
  return jsonResponse(202, { job_id: jobId, status: recorded.job_state ?? job.state, links: jobLinks(jobId) } satisfies JobAccepted);
}
