import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DevhostStateFile, readDevhostKey } from "../lib/devhost-state.js";

// The files' names and readers are lib's: the CLI reads them too, and never imports devhost/.
export { DevhostStateFile, readDevhostKey, readDevhostStorage, readKeyFile } from "../lib/devhost-state.js";

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
