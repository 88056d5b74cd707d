import type { HttpResponseInit } from "@azure/functions";

/**
 * Problem types (RFC 9457 `type`). URNs, so they never pretend to be fetchable
 * documentation; each names one reason a request was refused.
 */
export const ProblemType = {
  invalidJson: "urn:lucius:problem:invalid-json",
  bodyTooDeep: "urn:lucius:problem:body-too-deep",
  bodyTooLarge: "urn:lucius:problem:body-too-large",
  unsupportedMediaType: "urn:lucius:problem:unsupported-media-type",
  validation: "urn:lucius:problem:validation-failed",
  unknownRequestType: "urn:lucius:problem:unknown-request-type",
  idempotencyConflict: "urn:lucius:problem:idempotency-key-reused",
  invalidQuery: "urn:lucius:problem:invalid-query",
  unauthorized: "urn:lucius:problem:unauthorized",
  forbidden: "urn:lucius:problem:forbidden",
  notFound: "urn:lucius:problem:not-found",
  methodNotAllowed: "urn:lucius:problem:method-not-allowed",
  conflict: "urn:lucius:problem:state-conflict",
  tooManyRequests: "urn:lucius:problem:too-many-requests",
  unavailable: "urn:lucius:problem:dependency-unavailable",
  internal: "urn:lucius:problem:internal-error",
} as const;
export type ProblemType = (typeof ProblemType)[keyof typeof ProblemType];

/** One reason a body failed validation: where (RFC 6901 pointer into the body) and why. */
export interface ProblemIssue {
  pointer: string;
  message: string;
}

export interface Problem {
  type: ProblemType;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemIssue[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An HTTP answer carrying an RFC 9457 problem document. */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: problem.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

/**
 * A refusal that travels up from parsing or validation to the trigger, which
 * turns it into a problem answer. Carrying the whole problem keeps every
 * rejection specific.
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

export function notFound(detail: string): ProblemError {
  return new ProblemError({ type: ProblemType.notFound, title: "Not found", status: 404, detail });
}
