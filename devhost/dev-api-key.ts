import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { apiKeyHash } from "../lib/auth/index.js";

/** Where devhost keeps its generated key: inside the git-ignored `.devhost` folder. */
export function devhostApiKeyPath(root: string): string {
  return join(root, ".devhost", "api-key");
}

/** The key devhost generated under `root`, if it has one (the CLI sends it to a loopback API). */
export function readDevhostApiKey(root: string): string | undefined {
  const path = devhostApiKeyPath(root);
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, "utf8").trim();
  return key === "" ? undefined : key;
}

/** The stored key, or a new random one written (owner-only) on first start. */
export function ensureDevhostApiKey(root: string): { key: string; path: string; created: boolean } {
  const path = devhostApiKeyPath(root);
  const existing = readDevhostApiKey(root);
  if (existing) return { key: existing, path, created: false };
  const key = randomBytes(32).toString("base64url");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, path, created: true };
}

/** `LUCIUS_API_KEYS` for devhost's key: every tenant, stored as its hash like any other key. */
export function devhostApiKeysSetting(key: string): string {
  return JSON.stringify([{ name: "devhost", sha256: apiKeyHash(key), tenants: ["*"] }]);
}
