import { ProblemError, ProblemType } from "../http/problem.js";

/** Header that carries an API key. */
export const apiKeyHeader = "x-api-key";
/** Header App Service authentication injects with the validated principal (base64 JSON). */
export const clientPrincipalHeader = "x-ms-client-principal";

/** Why a request carried no usable credential; each becomes one 401 detail. */
export const UnauthorizedReason = {
  missing: "missing",
  invalidApiKey: "invalid-api-key",
  malformedPrincipal: "malformed-principal",
} as const;
export type UnauthorizedReason = (typeof UnauthorizedReason)[keyof typeof UnauthorizedReason];

const details: Record<UnauthorizedReason, string> = {
  missing: "This operation needs a credential",
  "invalid-api-key": "The API key is not valid",
  "malformed-principal": "The client principal is malformed",
};

/**
 * 401 with the schemes this deployment accepts as challenges: always an API key in
 * `x-api-key`, and an Entra ID bearer token when App Service authentication is in front.
 */
export function unauthorized(reason: UnauthorizedReason, bearerAccepted: boolean): ProblemError {
  const how = bearerAccepted ? `an API key in ${apiKeyHeader} or an Entra ID bearer token` : `an API key in ${apiKeyHeader}`;
  const challenges = [`ApiKey realm="lucius", header="${apiKeyHeader}"`, ...(bearerAccepted ? ['Bearer realm="lucius"'] : [])];
  return new ProblemError(
    { type: ProblemType.unauthorized, title: "Unauthorized", status: 401, detail: `${details[reason]}: send ${how}`, reason },
    { "WWW-Authenticate": challenges.join(", ") },
  );
}

/** 403: the caller is known but may not act for this tenant. Says nothing about the tenant's jobs. */
export function forbiddenTenant(tenantId: string): ProblemError {
  return new ProblemError({
    type: ProblemType.forbidden,
    title: "Forbidden",
    status: 403,
    detail: `This credential may not submit commands for tenant "${tenantId.slice(0, 100)}"`,
  });
}

/** 403: the caller may see the job but lacks the role the action needs. */
export function forbiddenRole(role: string, action: string): ProblemError {
  return new ProblemError({
    type: ProblemType.forbidden,
    title: "Forbidden",
    status: 403,
    detail: `This credential may not ${action}: it needs the "${role}" role`,
    role,
  });
}
