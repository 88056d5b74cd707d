import type { HttpResponseInit } from "@azure/functions";
import { ProblemError, ProblemType, problemResponse } from "./problem.js";
import { problemFor } from "./error-problems.js";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Logs what is ours to fix; never leaks internals to the caller. */
export interface ErrorLog {
  error(...args: unknown[]): void;
}

/**
 * Runs an API operation and turns its refusals into problem answers: a {@link ProblemError}
 * (the HTTP layer's own: bad JSON, credentials) as it is, a domain error through the one table
 * of error-problems.ts. Only a fault of ours becomes a 500.
 */
export async function answer(log: ErrorLog, operation: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(error.problem, error.headers);
    const known = problemFor(error);
    if (known) return problemResponse(known.problem, known.headers);
    log.error("request failed", error);
    return problemResponse({
      type: ProblemType.internal,
      title: "Internal error",
      status: 500,
      detail: "The request could not be completed; it is safe to retry",
    });
  }
}
