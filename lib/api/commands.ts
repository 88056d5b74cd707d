import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { readJsonBody } from "../http/json-body.js";
import { jsonResponse } from "../http/responses.js";
import { submitCommand, type SubmitDependencies } from "../intake/submit-command.js";
import { jobLinks } from "./views.js";

export interface CommandApiDependencies extends SubmitDependencies {
  /** @default 262144 */
  maxBodyBytes: number;
}

/** POST /v1/commands: 202 for a new job, 200 with `Idempotent-Replayed: true` for a replay. */
export async function postCommand(request: HttpRequest, deps: CommandApiDependencies): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, { maxBytes: deps.maxBodyBytes });
  const { job, replayed } = await submitCommand(body, deps);
  const links = jobLinks(job.job_id);
  const headers: Record<string, string> = { Location: links.self! };
  if (replayed) headers["Idempotent-Replayed"] = "true";
  return jsonResponse(replayed ? 200 : 202, { job_id: job.job_id, status: job.state, links }, headers);
}
