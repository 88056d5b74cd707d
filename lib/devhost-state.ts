import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The files devhost leaves for tools on the same machine, and how they are read: devhost writes
 * them (devhost/state-files.ts, devhost/dev-api-key.ts), the CLI reads them. The format is here
 * because production code (cli/) never imports devhost/ (docs/architecture.md, "Deployment units").
 */

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

/** Where devhost keeps its generated API key: inside the git-ignored `.devhost` folder. */
export function devhostApiKeyPath(root: string): string {
  return join(root, ".devhost", "api-key");
}

/** The API key devhost generated under `root`, if it has one (the CLI sends it to a loopback API). */
export function readDevhostApiKey(root: string): string | undefined {
  return readKeyFile(devhostApiKeyPath(root));
}
