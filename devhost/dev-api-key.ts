import { randomBytes } from "node:crypto";
import { apiKeyHash } from "../lib/auth/index.js";
import { devhostApiKeyPath, readDevhostApiKey } from "../lib/devhost-state.js";
import { writeOwnerOnly } from "./state-files.js";

// The key file's place and reader are lib's: the CLI reads it too, and never imports devhost/.
export { devhostApiKeyPath, readDevhostApiKey } from "../lib/devhost-state.js";

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
