import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * What devhost leaves in its state folder (`.devhost/` under `npm start`) for tools on the same
 * machine, owner-only: its key and the storage it runs on. No route serves either.
 */
export const DevhostStateFile = {
  /** devhost's key for the Durable webhooks and `/_devhost/…`: made on first start, then kept, as the host keeps its keys. */
  hostKey: "host-key",
  /** `{ url, connectionString }`: the Azurite devhost started itself; absent when it was given storage. */
  storage: "storage.json",
} as const;
export type DevhostStateFile = (typeof DevhostStateFile)[keyof typeof DevhostStateFile];

/** A fresh random key. */
export function newDevhostKey(): string {
  return randomBytes(32).toString("base64url");
}

/** Writes `text` readable by this user alone (the mode is set again in case the file existed). */
export function writeOwnerOnly(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * The key kept in `dir`, or a new one stored there. Kept across restarts because management URLs
 * handed out before a restart (`statusQueryGetUri`, with `code=`) must keep working after it.
 * Created exclusively, so devhosts starting side by side agree on one key.
 */
export function ensureDevhostKey(dir: string): string {
  const existing = readDevhostKey(dir);
  if (existing) return existing;
  const key = newDevhostKey();
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, DevhostStateFile.hostKey), `${key}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readDevhostKey(dir) ?? key;
  }
}

/** Records the key (when it is not the one kept there) and, when devhost started its own Azurite, its connection. */
export function writeDevhostState(dir: string, state: { url: string; key: string; ownStorage?: string }): void {
  if (readDevhostKey(dir) !== state.key) writeOwnerOnly(join(dir, DevhostStateFile.hostKey), `${state.key}\n`);
  const storage = join(dir, DevhostStateFile.storage);
  if (state.ownStorage) writeOwnerOnly(storage, `${JSON.stringify({ url: state.url, connectionString: state.ownStorage })}\n`);
  else if (existsSync(storage)) writeOwnerOnly(storage, "{}\n");
}

/** A key file's key: its text trimmed, or undefined when the file is missing or empty. */
export function readKeyFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, "utf8").trim();
  return key === "" ? undefined : key;
}

/** devhost's key from its state folder, if there is one. */
export function readDevhostKey(dir: string): string | undefined {
  return readKeyFile(join(dir, DevhostStateFile.hostKey));
}

/**
 * The connection string of the Azurite devhost started, when the devhost that wrote it listens on
 * `apiUrl`'s port (an older file from another devhost is not used).
 */
export function readDevhostStorage(dir: string, apiUrl: string): string | undefined {
  const path = join(dir, DevhostStateFile.storage);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as { url?: unknown; connectionString?: unknown };
    if (typeof state.url !== "string" || typeof state.connectionString !== "string") return undefined;
    return portOf(state.url) === portOf(apiUrl) ? state.connectionString : undefined;
  } catch {
    return undefined;
  }
}

function portOf(url: string): string {
  const parsed = new URL(url);
  return parsed.port || (parsed.protocol === "https:" ? "443" : "80");
}
