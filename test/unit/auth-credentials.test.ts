import { describe, expect, it } from "vitest";
import { HttpRequest } from "@azure/functions";
import { apiKeyHash, matchApiKey, parseApiKeys } from "../../lib/auth/api-keys.js";
import { authorize } from "../../lib/auth/authorize.js";
import { decodeClientPrincipal, MalformedPrincipalError, principalCaller } from "../../lib/auth/client-principal.js";
import { loadAuthSettings, PrincipalTrust } from "../../lib/auth/settings.js";
import { ProblemError, ProblemType } from "../../lib/http/problem.js";
import { ConfigurationError } from "../../lib/config/settings.js";
import { apiKeysSetting, newTestKey, principalHeader } from "../support/auth.js";

const tenantA = newTestKey("tenant-a", ["a"]);
const both = newTestKey("both", ["a", "b"]);
const every = newTestKey("every", ["*"]);
const setting = apiKeysSetting([tenantA, both, every]);

const request = (headers: Record<string, string>) => new HttpRequest({ method: "GET", url: "http://localhost/v1/jobs", headers });

/** The 401 problem a request gets, or fails the test when it is let in. */
function refusal(run: () => unknown): { status: number; type: string; detail: string; challenge: string | undefined } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { status: error.problem.status, type: error.problem.type, detail: error.problem.detail, challenge: error.headers["WWW-Authenticate"] };
  }
  throw new Error("the request was let in");
}

describe("API keys", () => {
  const entries = parseApiKeys(setting, "LUCIUS_API_KEYS");

  it("finds the caller of a configured key with its tenants, and nobody for any other key", () => {
    expect(matchApiKey(entries, tenantA.key)).toEqual({ kind: "apiKey", id: "tenant-a", tenants: new Set(["a"]) });
    expect(matchApiKey(entries, both.key)).toEqual({ kind: "apiKey", id: "both", tenants: new Set(["a", "b"]) });
    expect(matchApiKey(entries, every.key)).toEqual({ kind: "apiKey", id: "every", tenants: "*" });
    expect(matchApiKey(entries, `${tenantA.key} `)).toBeUndefined();
    expect(matchApiKey(entries, tenantA.key.slice(0, -1))).toBeUndefined();
    expect(matchApiKey(entries, apiKeyHash(tenantA.key))).toBeUndefined(); // the stored hash is not a key
  });

  it("gives a key its configured roles; a key without roles has none (submit and read only)", () => {
    const reviewer = newTestKey("reviewer", ["a"], ["review"]);
    const withRoles = parseApiKeys(apiKeysSetting([tenantA, reviewer]), "LUCIUS_API_KEYS");
    expect(matchApiKey(withRoles, reviewer.key)).toEqual({ kind: "apiKey", id: "reviewer", tenants: new Set(["a"]), roles: new Set(["review"]) });
    expect(matchApiKey(withRoles, tenantA.key)?.roles).toBeUndefined();
  });

  it("accepts the list base64-encoded, and no setting as no keys", () => {
    expect(parseApiKeys(Buffer.from(setting).toString("base64"), "X").map((e) => e.name)).toEqual(["tenant-a", "both", "every"]);
    expect(parseApiKeys(undefined, "X")).toEqual([]);
    expect(parseApiKeys("  ", "X")).toEqual([]);
  });

  it.each([
    ["not JSON", "{nope", /must be a JSON array/],
    ["an object", '{"name":"x"}', /must be a JSON array of/],
    ["a clear key", JSON.stringify([{ name: "x", key: "secret", tenants: ["a"] }]), /unknown keys: key/],
    ["a short hash", JSON.stringify([{ name: "x", sha256: "abc", tenants: ["a"] }]), /sha256 must be 64 hex digits/],
    ["no tenants", JSON.stringify([{ name: "x", sha256: "a".repeat(64), tenants: [] }]), /tenants must be a non-empty array/],
    ["* beside a tenant", JSON.stringify([{ name: "x", sha256: "a".repeat(64), tenants: ["*", "a"] }]), /"\*" stands alone/],
    [
      "an unknown role",
      JSON.stringify([{ name: "x", sha256: "a".repeat(64), tenants: ["a"], roles: ["admin"] }]),
      /roles must be an array of roles \(review\)/,
    ],
    ["roles not an array", JSON.stringify([{ name: "x", sha256: "a".repeat(64), tenants: ["a"], roles: "review" }]), /roles must be an array/],
    [
      "a repeated hash",
      JSON.stringify([
        { name: "x", sha256: "a".repeat(64), tenants: ["a"] },
        { name: "y", sha256: "A".repeat(64), tenants: ["b"] },
      ]),
      /repeats another entry/,
    ],
  ])("refuses %s at start-up, naming the setting", (_what, raw, message) => {
    expect(() => parseApiKeys(raw, "LUCIUS_API_KEYS")).toThrow(ConfigurationError);
    expect(() => parseApiKeys(raw, "LUCIUS_API_KEYS")).toThrow(message);
  });
});

describe("the App Service client principal", () => {
  const mapping = { rolePrefix: "Tenant." };
  const decode = (headers: Record<string, string>) => decodeClientPrincipal(Object.values(headers)[0]!);

  it("maps Tenant.<id> roles to tenants and Tenant.All to every tenant; other roles grant nothing", () => {
    const user = decode(
      principalHeader([
        { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "oid-1" },
        { typ: "roles", val: "Tenant.a" },
        { typ: "roles", val: "Tenant.b" },
        { typ: "roles", val: "Reader" },
        { typ: "roles", val: "Tenant." },
        { typ: "groups", val: "Tenant.c" },
      ]),
    );
    expect(principalCaller(user, mapping)).toEqual({ kind: "entra", id: "oid-1", tenants: new Set(["a", "b"]) });
    const admin = decode(
      principalHeader([
        { typ: "roles", val: "Tenant.All" },
        { typ: "name", val: "ops@example.com" },
      ]),
    );
    expect(principalCaller(admin, mapping)).toEqual({ kind: "entra", id: "ops@example.com", tenants: "*" });
  });

  it("grants the review role for the app role Reviewer, and only for it", () => {
    const reviewer = decode(
      principalHeader([
        { typ: "oid", val: "oid-2" },
        { typ: "roles", val: "Tenant.a" },
        { typ: "roles", val: "Reviewer" },
      ]),
    );
    expect(principalCaller(reviewer, mapping)).toEqual({ kind: "entra", id: "oid-2", tenants: new Set(["a"]), roles: new Set(["review"]) });
    const lookalike = decode(
      principalHeader([
        { typ: "oid", val: "oid-3" },
        { typ: "groups", val: "Reviewer" },
        { typ: "roles", val: "Tenant.Reviewer" },
      ]),
    );
    expect(principalCaller(lookalike, mapping).roles).toBeUndefined();
  });

  it("reads the principal's role_typ, or the configured claim type and prefix", () => {
    const wsRole = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    const principal = decode(
      principalHeader(
        [
          { typ: wsRole, val: "Tenant.a" },
          { typ: "extension_lucius", val: "lucius:b" },
        ],
        { role_typ: wsRole },
      ),
    );
    expect(principalCaller(principal, mapping).tenants).toEqual(new Set(["a"]));
    expect(principalCaller(principal, { rolePrefix: "lucius:", claimTypes: ["extension_lucius"] }).tenants).toEqual(new Set(["b"]));
  });

  it.each([
    ["not base64", "%%%"],
    ["base64 of text", Buffer.from("hello").toString("base64")],
    ["an array", Buffer.from("[]").toString("base64")],
    ["no auth_typ", Buffer.from(JSON.stringify({ claims: [] })).toString("base64")],
    ["claims not an array", Buffer.from(JSON.stringify({ auth_typ: "aad", claims: {} })).toString("base64")],
    ["a claim without val", Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [{ typ: "roles" }] })).toString("base64")],
    ["oversized", "A".repeat(70_000)],
  ])("rejects a principal that is %s", (_what, header) => {
    expect(() => decodeClientPrincipal(header)).toThrow(MalformedPrincipalError);
  });
});

describe("which principal the app believes", () => {
  it("trusts it only on App Service with its authentication on, or under the test-only setting off App Service", () => {
    expect(loadAuthSettings({}).principalTrust).toBe(PrincipalTrust.none);
    expect(loadAuthSettings({ WEBSITE_AUTH_ENABLED: "True" }).principalTrust).toBe(PrincipalTrust.none); // not on App Service
    expect(loadAuthSettings({ WEBSITE_AUTH_ENABLED: "True", WEBSITE_INSTANCE_ID: "i" }).principalTrust).toBe(PrincipalTrust.appService);
    expect(loadAuthSettings({ WEBSITE_AUTH_ENABLED: "False", WEBSITE_INSTANCE_ID: "i" }).principalTrust).toBe(PrincipalTrust.none);
    expect(loadAuthSettings({ LUCIUS_TRUST_CLIENT_PRINCIPAL: "true" }).principalTrust).toBe(PrincipalTrust.testSetting);
    expect(() => loadAuthSettings({ LUCIUS_TRUST_CLIENT_PRINCIPAL: "true", WEBSITE_INSTANCE_ID: "i" })).toThrow(/for tests/);
    expect(() => loadAuthSettings({ LUCIUS_TENANT_ROLE_PREFIX: " " })).toThrow(/LUCIUS_TENANT_ROLE_PREFIX/);
  });
});

describe("authorize", () => {
  const keysOnly = loadAuthSettings({ LUCIUS_API_KEYS: setting });
  const behindEasyAuth = loadAuthSettings({ LUCIUS_API_KEYS: setting, WEBSITE_AUTH_ENABLED: "true", WEBSITE_INSTANCE_ID: "i" });
  const roles = principalHeader([
    { typ: "oid", val: "u1" },
    { typ: "roles", val: "Tenant.b" },
  ]);

  it("lets in a configured key, or a trusted principal", () => {
    expect(authorize(request({ "x-api-key": both.key }), keysOnly)).toMatchObject({ kind: "apiKey", id: "both" });
    expect(authorize(request(roles), behindEasyAuth)).toEqual({ kind: "entra", id: "u1", tenants: new Set(["b"]) });
  });

  it("refuses no credential, a wrong or empty key, and an untrusted principal with 401 and a challenge", () => {
    for (const headers of [{}, { "x-api-key": "wrong" }, { "x-api-key": "" }, roles]) {
      const answer = refusal(() => authorize(request(headers), keysOnly));
      expect(answer).toMatchObject({ status: 401, type: ProblemType.unauthorized, challenge: 'ApiKey realm="lucius", header="x-api-key"' });
    }
    expect(refusal(() => authorize(request({ "x-api-key": "wrong" }), keysOnly)).detail).toMatch(/API key is not valid/);
  });

  it("offers Bearer behind App Service authentication, and refuses a malformed principal or a wrong key beside a good principal", () => {
    expect(refusal(() => authorize(request({}), behindEasyAuth)).challenge).toBe('ApiKey realm="lucius", header="x-api-key", Bearer realm="lucius"');
    expect(refusal(() => authorize(request({ "x-ms-client-principal": "bm90IGpzb24=" }), behindEasyAuth)).detail).toMatch(/principal is malformed/);
    expect(refusal(() => authorize(request({ ...roles, "x-api-key": "wrong" }), behindEasyAuth)).status).toBe(401);
  });
});
