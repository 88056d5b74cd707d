import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { readJsonBody } from "../http/json-body.js";
import { jsonResponse } from "../http/responses.js";
import { submitCommand, type SubmitDependencies } from "../intake/submit-command.js";
import type { JobAccepted } from "../contracts/index.js";
import { jobLinks } from "./views.js";
import { callerLabel, forbiddenTenant, mayUseTenant, type Caller } from "../auth/index.js";
import { untracedIntake } from "../telemetry/intake.js";

export interface CommandApiDependencies extends SubmitDependencies {
  /** @default 262144 */
  maxBodyBytes: number;
  /** Who submits; a command for a tenant it may not use is refused (403) before anything is read or written. */
  caller: Caller;
}

/**
 * A tenant_id the caller may not use → 403, checked before validation so a stranger learns
 * nothing from this tenant's refusals. A missing or non-string tenant_id is validation's (422).
 */
function checkTenant(body: unknown, caller: Caller): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const tenantId = (body as Record<string, unknown>).tenant_id;
  if (typeof tenantId === "string" && !mayUseTenant(caller, tenantId)) throw forbiddenTenant(tenantId);
}

/** POST /v1/commands: 202 for a new job, 200 with `Idempotent-Replayed: true` for a replay. */
export async function postCommand(request: HttpRequest, deps: CommandApiDependencies): Promise<HttpResponseInit> {
  const submittedBy = callerLabel(deps.caller);
  (deps.intake ?? untracedIntake).caller(submittedBy);
  const body = await readJsonBody(request, { maxBytes: deps.maxBodyBytes });
  checkTenant(body, deps.caller);
  const { job, replayed } = await submitCommand(body, { ...deps, submittedBy });
  const links = jobLinks(job.job_id);
  const headers: Record<string, string> = { Location: links.self };
  if (replayed) headers["Idempotent-Replayed"] = "true";
  return jsonResponse(replayed ? 200 : 202, { job_id: job.job_id, status: job.state, links } satisfies JobAccepted, headers);
}
