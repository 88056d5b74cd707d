import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigurationError } from "../config/settings.js";
import { AllTenants, CallerRole, type Caller } from "./caller.js";

/** One configured API key: its name, the SHA-256 of the key, and the tenants it may use. */
export interface ApiKeyEntry {
  name: string;
  digest: Buffer;
  tenants: ReadonlySet<string> | typeof AllTenants;
  /** @default none (submit and read) */
  roles?: ReadonlySet<CallerRole>;
}

/** Hex SHA-256 of a key's UTF-8 bytes: what `LUCIUS_API_KEYS` stores instead of the key. */
export function apiKeyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * The key the caller presented, compared against every entry in constant time per entry:
 * digests have one length, every entry is compared, and the match is chosen afterwards, so
 * neither the key nor its position in the list shows in the timing.
 */
export function matchApiKey(entries: readonly ApiKeyEntry[], presented: string): Caller | undefined {
  const digest = createHash("sha256").update(presented, "utf8").digest();
  let match: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && !match) match = entry;
  }
  return match && { kind: "apiKey", id: match.name, tenants: match.tenants, ...(match.roles ? { roles: match.roles } : {}) };
}

/** `[...]` JSON, or the same JSON base64-encoded (survives azd parameter files and shell quoting). */
function decodeSetting(raw: string, setting: string): unknown {
  const text = /^\s*[[{]/.test(raw) ? raw : Buffer.from(raw.trim(), "base64").toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigurationError(`${setting} must be a JSON array (or that JSON base64-encoded)`);
  }
}

const entryKeys = new Set(["name", "sha256", "tenants", "roles"]);
const knownRoles: ReadonlySet<string> = new Set(Object.values(CallerRole));

function parseEntry(item: unknown, index: number, setting: string): ApiKeyEntry {
  const where = `${setting}[${index}]`;
  if (typeof item !== "object" || item === null || Array.isArray(item)) throw new ConfigurationError(`${where} must be an object`);
  const entry = item as Record<string, unknown>;
  const unknownKeys = Object.keys(entry).filter((key) => !entryKeys.has(key));
  if (unknownKeys.length > 0)
    throw new ConfigurationError(`${where} has unknown keys: ${unknownKeys.join(", ")} (a key is stored as its sha256, never in clear)`);
  const { name, sha256, tenants, roles } = entry;
  if (typeof name !== "string" || name.trim() === "") throw new ConfigurationError(`${where}.name must be a non-empty string`);
  if (typeof sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha256))
    throw new ConfigurationError(`${where}.sha256 must be 64 hex digits (the key's SHA-256)`);
  if (!Array.isArray(tenants) || tenants.length === 0 || !tenants.every((t) => typeof t === "string" && t !== "")) {
    throw new ConfigurationError(`${where}.tenants must be a non-empty array of tenant ids, or ["*"]`);
  }
  if (tenants.includes(AllTenants) && tenants.length > 1) throw new ConfigurationError(`${where}.tenants: "*" stands alone`);
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && knownRoles.has(r)))) {
    throw new ConfigurationError(`${where}.roles must be an array of roles (${[...knownRoles].join(", ")})`);
  }
  return {
    name,
    digest: Buffer.from(sha256, "hex"),
    tenants: tenants.includes(AllTenants) ? AllTenants : new Set(tenants as string[]),
    ...(roles !== undefined ? { roles: new Set(roles as CallerRole[]) } : {}),
  };
}

/** Parses the API key list; an unset or empty setting means no API keys. @throws ConfigurationError naming the setting */
export function parseApiKeys(raw: string | undefined, setting: string): ApiKeyEntry[] {
  if (raw === undefined || raw.trim() === "") return [];
  const value = decodeSetting(raw, setting);
  if (!Array.isArray(value)) throw new ConfigurationError(`${setting} must be a JSON array of { name, sha256, tenants }`);
  const entries = value.map((item, index) => parseEntry(item, index, setting));
  const names = new Set<string>();
  const hashes = new Set<string>();
  for (const entry of entries) {
    const hex = entry.digest.toString("hex");
    if (names.has(entry.name) || hashes.has(hex)) throw new ConfigurationError(`${setting}: key "${entry.name}" repeats another entry's name or hash`);
    names.add(entry.name);
    hashes.add(hex);
  }
  return entries;
}
