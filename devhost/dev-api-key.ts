import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { apiKeyHash } from "../lib/auth/index.js";
import { readKeyFile, writeOwnerOnly } from "./state-files.js";

/** Where devhost keeps its generated key: inside the git-ignored `.devhost` folder. */
export function devhostApiKeyPath(root: string): string {
  return join(root, ".devhost", "api-key");
}

/** The key devhost generated under `root`, if it has one (the CLI sends it to a loopback API). */
export function readDevhostApiKey(root: string): string | undefined {
  return readKeyFile(devhostApiKeyPath(root));
}

/** The stored key, or a new random one written (owner-only) on first start. */
export function ensureDevhostApiKey(root: string): { key: string; path: string; created: boolean } {
  const path = devhostApiKeyPath(root);
  const existing = readDevhostApiKey(root);
  if (existing) return { key: existing, path, created: false };
  const key = randomBytes(32).toString("base64url");
  writeOwnerOnly(path, `${key}\n`);
  return { key, path, created: true };
}

/** `LUCIUS_API_KEYS` for devhost's key: every tenant, stored as its hash like any other key. */
export function devhostApiKeysSetting(key: string): string {
  return JSON.stringify([{ name: "devhost", sha256: apiKeyHash(key), tenants: ["*"] }]);
}
