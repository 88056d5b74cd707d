import type { HttpRequest } from "@azure/functions";
import { matchApiKey } from "./api-keys.js";
import type { Caller } from "./caller.js";
import { decodeClientPrincipal, MalformedPrincipalError, principalCaller } from "./client-principal.js";
import { apiKeyHeader, clientPrincipalHeader, unauthorized, UnauthorizedReason } from "./errors.js";
import { authSettings, PrincipalTrust, type AuthSettings } from "./settings.js";

/**
 * The caller of a request, or a 401 {@link ProblemError}. An `x-api-key` header, when present,
 * decides alone (a wrong key is refused even beside a valid principal); otherwise a trusted
 * `x-ms-client-principal` does. An untrusted principal header is ignored as if absent.
 */
export function authorize(request: HttpRequest, settings: AuthSettings = authSettings()): Caller {
  const bearerAccepted = settings.principalTrust === PrincipalTrust.appService;
  const key = request.headers.get(apiKeyHeader);
  if (key !== null) {
    const caller = key === "" ? undefined : matchApiKey(settings.apiKeys, key);
    if (!caller) throw unauthorized(UnauthorizedReason.invalidApiKey, bearerAccepted);
    return caller;
  }
  const principal = settings.principalTrust === PrincipalTrust.none ? null : request.headers.get(clientPrincipalHeader);
  if (principal === null) throw unauthorized(UnauthorizedReason.missing, bearerAccepted);
  try {
    return principalCaller(decodeClientPrincipal(principal), settings.tenantMapping);
  } catch (error) {
    if (error instanceof MalformedPrincipalError) throw unauthorized(UnauthorizedReason.malformedPrincipal, bearerAccepted);
    throw error;
  }
}
