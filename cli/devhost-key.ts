import type { Connection } from "./args.js";

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * With no key or token given and the API on this machine, the key `npm start` generated for
 * devhost (`.devhost/api-key`), so `npm start` + `lucius …` needs no set-up. Never sent anywhere
 * but a loopback address.
 */
export async function withDevhostKey(connection: Connection, root?: string): Promise<Connection> {
  if (connection.apiKey || connection.token || !loopbackHosts.has(new URL(connection.api).hostname)) return connection;
  const { readDevhostApiKey } = await import("../devhost/dev-api-key.js");
  const key = readDevhostApiKey(root ?? (await import("../lib/paths.js")).packageRoot);
  return key ? { ...connection, apiKey: key } : connection;
}
