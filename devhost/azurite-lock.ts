import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { azuriteBin } from "./azurite.js";
import { processAlive, runsWith } from "./process-identity.js";

/** What `<folder>.lock` holds while a devhost runs Azurite on the folder. */
export interface LockRecord {
  /** The process that owns the folder (devhost, or whatever process called `startDevHost`). */
  devhost_pid: number;
  /** Azurite's process, once spawned. */
  azurite_pid?: number;
  location: string;
  token: string;
  since: string;
}

export class AzuriteFolderBusyError extends Error {
  override readonly name = "AzuriteFolderBusyError";
}

export interface FolderLock {
  readonly path: string;
  /** Records Azurite's pid, so the next start can tell a live Azurite on the folder from a stale lock. */
  record(azuritePid: number): void;
  /** Removes the lock if it is still this owner's. */
  release(): void;
}

export interface LockOptions {
  /**
   * How long to wait for the Azurite of a devhost that died (it flushes, then ends) before asking
   * it to stop with SIGTERM; as long again after that before giving up. @default 20000 ms
   */
  waitMs?: number;
}

type Verdict = "busy" | "flushing" | "stale";

/**
 * Takes the folder's lock: exclusive, created atomically (a hard link of a complete file, so it is
 * never seen half-written). A lock is respected while its owner lives (two devhosts never run
 * Azurite on one folder); a lock whose owner died but whose Azurite still runs on the folder is
 * waited for (that Azurite is flushing before it ends); any other lock is stale and is broken.
 */
export async function lockAzuriteFolder(location: string, options: LockOptions = {}): Promise<FolderLock> {
  const path = `${location}.lock`;
  const waitMs = options.waitMs ?? 20_000;
  const mine: LockRecord = { devhost_pid: process.pid, location, token: randomBytes(8).toString("hex"), since: new Date().toISOString() };
  let deadline = Date.now() + waitMs;
  let terminated = false;
  for (;;) {
    if (tryCreate(path, mine)) return ownedLock(path, mine);
    const held = readLock(path);
    if (held === null) continue;
    const verdict = judge(held, location);
    if (verdict === "busy") {
      throw new AzuriteFolderBusyError(
        `${location} is in use: devhost (pid ${held.devhost_pid}) runs Azurite${held.azurite_pid ? ` (pid ${held.azurite_pid})` : ""} on it; stop that one first, or pass another --azurite-location`,
      );
    }
    if (verdict === "stale") {
      if (!breakStale(path, held.token)) await sleep(20);
      continue;
    }
    if (Date.now() > deadline) {
      if (terminated) throw new AzuriteFolderBusyError(`the Azurite (pid ${held.azurite_pid}) left on ${location} by a devhost that died does not end`);
      try {
        process.kill(held.azurite_pid!, "SIGTERM");
      } catch {
        // It ended meanwhile.
      }
      terminated = true;
      deadline = Date.now() + waitMs;
    }
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function judge(held: Partial<LockRecord>, location: string): Verdict {
  const ownerAlive = held.devhost_pid !== undefined && processAlive(held.devhost_pid);
  if (held.azurite_pid === undefined) return ownerAlive ? "busy" : "stale";
  if (!runsWith(held.azurite_pid, azuriteBin, "--location", location)) return "stale";
  return ownerAlive ? "busy" : "flushing";
}

function tryCreate(path: string, record: LockRecord): boolean {
  const staged = `${path}.${record.token}`;
  writeFileSync(staged, JSON.stringify(record));
  try {
    linkSync(staged, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(staged, { force: true });
  }
}

/** The lock as stored; null if it vanished meanwhile; an unreadable one has no fields (stale). */
function readLock(path: string): Partial<LockRecord> | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return JSON.parse(text) as Partial<LockRecord>;
  } catch {
    return {};
  }
}

/**
 * Breakers take turns through `<lock>.break`, and remove the lock only if it is still the stale
 * one they judged: without that, two starts judging the same stale lock could each remove the
 * other's fresh lock and both go on.
 */
function breakStale(path: string, staleToken: string | undefined): boolean {
  const breaker = `${path}.break`;
  try {
    writeFileSync(breaker, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A breaker that died mid-way leaves its file; it takes microseconds when alive.
    const since = statSync(breaker, { throwIfNoEntry: false })?.mtimeMs;
    if (since !== undefined && Date.now() - since > 5_000) rmSync(breaker, { force: true });
    return false;
  }
  try {
    const again = readLock(path);
    if (again !== null && again.token === staleToken) rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}

function ownedLock(path: string, record: LockRecord): FolderLock {
  return {
    path,
    record(azuritePid) {
      const staged = `${path}.${record.token}`;
      writeFileSync(staged, JSON.stringify({ ...record, azurite_pid: azuritePid }));
      renameSync(staged, path);
    },
    release() {
      if (readLock(path)?.token === record.token) rmSync(path, { force: true });
    },
  };
}
