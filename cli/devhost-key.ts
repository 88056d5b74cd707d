import { join } from "node:path";
import { readDevhostApiKey, readDevhostKey } from "../lib/devhost-state.js";
import type { Connection } from "./args.js";

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True when the API runs on this machine: only then does the CLI use devhost's files. */
export function isLoopbackApi(api: string): boolean {
  return loopbackHosts.has(new URL(api).hostname);
}

/**
 * devhost's state folder: `LUCIUS_DEVHOST_DIR`, else `.devhost` in the package (what `npm start` uses).
 */
export async function devhostStateDir(env: Record<string, string | undefined>, root?: string): Promise<string> {
  if (env.LUCIUS_DEVHOST_DIR) return env.LUCIUS_DEVHOST_DIR;
  return join(root ?? (await import("../lib/paths.js")).packageRoot, ".devhost");
}

/**
 * With the API on this machine: devhost's key (for its `/_devhost/…` routes) from its state
 * folder, and, with no key or token given, the API key `npm start` generated
 * (`.devhost/api-key`), so `npm start` + `lucius …` needs no set-up. Never sent anywhere but a
 * loopback address.
 */
export async function withDevhostKey(connection: Connection, root?: string, env: Record<string, string | undefined> = {}): Promise<Connection> {
  if (!isLoopbackApi(connection.api)) return connection;
  const devhostKey = readDevhostKey(await devhostStateDir(env, root));
  const withHostKey = devhostKey ? { ...connection, devhostKey } : connection;
  if (connection.apiKey || connection.token) return withHostKey;
  const key = readDevhostApiKey(root ?? (await import("../lib/paths.js")).packageRoot);
  return key ? { ...withHostKey, apiKey: key } : withHostKey;
}
