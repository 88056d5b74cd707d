import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devhostApiKeyPath, devhostApiKeysSetting, ensureDevhostApiKey, readDevhostApiKey } from "../../devhost/dev-api-key.js";
import { matchApiKey, parseApiKeys } from "../../lib/auth/api-keys.js";

describe("devhost's generated API key", () => {
  it("is made once, kept owner-only in .devhost/api-key, and read back on the next start", () => {
    const root = mkdtempSync(join(tmpdir(), "lucius-key-"));
    expect(readDevhostApiKey(root)).toBeUndefined();
    const first = ensureDevhostApiKey(root);
    expect(first).toMatchObject({ created: true, path: join(root, ".devhost", "api-key") });
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.path, "utf8").trim()).toBe(first.key);
    expect(ensureDevhostApiKey(root)).toEqual({ ...first, created: false });
    expect(readDevhostApiKey(root)).toBe(first.key);
  });

  it("is configured as its hash, for every tenant", () => {
    const key = ensureDevhostApiKey(mkdtempSync(join(tmpdir(), "lucius-key-"))).key;
    const setting = devhostApiKeysSetting(key);
    expect(setting).not.toContain(key);
    const entries = parseApiKeys(setting, "LUCIUS_API_KEYS");
    expect(matchApiKey(entries, key)).toEqual({ kind: "apiKey", id: "devhost", tenants: "*" });
    expect(matchApiKey(entries, `${key}x`)).toBeUndefined();
  });

  it("treats an empty key file as no key and replaces it", () => {
    const root = mkdtempSync(join(tmpdir(), "lucius-key-"));
    ensureDevhostApiKey(root);
    writeFileSync(devhostApiKeyPath(root), "\n");
    expect(readDevhostApiKey(root)).toBeUndefined();
    expect(ensureDevhostApiKey(root).created).toBe(true);
  });
});
