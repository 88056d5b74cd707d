import type { ProblemDocument } from "./errors.js";

/**
 * One line for a problem answer, e.g.
 * `422 Validation failed: /payload/steps/sis/temperature must be ≤ 2`. A 422's pointer-level
 * errors say more than its generic `detail`; for every other status `detail` is the specific
 * part (e.g. the known request types), so it wins when present.
 */
export function problemMessage(status: number, problem: ProblemDocument | undefined, fallback = ""): string {
  const title = problem?.title ?? statusText(status);
  const issues = (problem?.errors ?? [])
    .filter((issue) => issue.message)
    .map((issue) => (issue.pointer ? `${issue.pointer} ${issue.message}` : issue.message!));
  const detail = (problem?.detail ?? fallback).trim();
  const reason = issues.length > 0 && (status === 422 || !detail) ? issues.join("; ") : detail;
  return `${status} ${title}${reason ? `: ${reason}` : ""}`.replace(/\s+/g, " ");
}

function statusText(status: number): string {
  if (status === 404) return "Not found";
  if (status >= 500) return "Server error";
  return "Request failed";
}
