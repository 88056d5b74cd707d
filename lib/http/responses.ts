import type { HttpResponseInit } from "@azure/functions";
import { ProblemError, ProblemType, problemResponse } from "./problem.js";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Logs what is ours to fix; never leaks internals to the caller. */
export interface ErrorLog {
  error(...args: unknown[]): void;
}

/**
 * Runs an API operation and turns its refusals into problem answers. Only a
 * fault of ours becomes a 5xx; a {@link ProblemError} carries the client's 4xx.
 */
export async function answer(log: ErrorLog, operation: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(error.problem, error.headers);
    log.error("request failed", error);
    return problemResponse({
      type: ProblemType.internal,
      title: "Internal error",
      status: 500,
      detail: "The request could not be completed; it is safe to retry",
    });
  }
}
