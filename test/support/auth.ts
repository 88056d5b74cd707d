import { randomBytes } from "node:crypto";
import type { HttpRequest } from "@azure/functions";
import { apiKeyHash, apiKeyHeader, clientPrincipalHeader } from "../../lib/auth/index.js";

/** An API key a test made up, with the tenants it is configured for. */
export interface TestKey {
  name: string;
  key: string;
  tenants: string[];
  /** LUCIUS_API_KEYS `roles`; absent: none. */
  roles?: string[];
}

export function newTestKey(name: string, tenants: string[], roles?: string[]): TestKey {
  return { name, key: randomBytes(24).toString("base64url"), tenants, ...(roles ? { roles } : {}) };
}

/** The `LUCIUS_API_KEYS` value configuring these keys (hashes only, as in production). */
export function apiKeysSetting(keys: readonly TestKey[]): string {
  return JSON.stringify(keys.map(({ name, key, tenants, roles }) => ({ name, sha256: apiKeyHash(key), tenants, ...(roles ? { roles } : {}) })));
}

/** Sends `key` in x-api-key unless the request already carries one. */
export function withKey(request: HttpRequest, key: string): HttpRequest {
  if (!request.headers.has(apiKeyHeader)) request.headers.set(apiKeyHeader, key);
  return request;
}

/** An `x-ms-client-principal` value as App Service authentication writes it. */
export function principalHeader(claims: Array<{ typ: string; val: string }>, extra: Record<string, unknown> = {}): Record<string, string> {
  const principal = { auth_typ: "aad", name_typ: "name", role_typ: "roles", claims, ...extra };
  return { [clientPrincipalHeader]: Buffer.from(JSON.stringify(principal), "utf8").toString("base64") };
}
