import type { MountHandler } from "./server.js";
import { sendJson, sendProblem } from "./problem.js";

/** Where devhost's own Azurite is: clients (the `lucius` CLI) upload documents there. */
export const devhostStoragePath = "/_devhost/storage";

/**
 * `GET /_devhost/storage` → `{ connectionString }`, only for the Azurite devhost started itself
 * (its account key is Azurite's public development key). A connection string handed to devhost
 * with `--azurite` may name a real account, so it is never served: 404, and the caller is told
 * to pass the storage itself.
 */
export function storageRoute(ownAzuriteConnectionString: string | undefined): MountHandler {
  return async (req, res) => {
    if (req.method !== "GET") return sendProblem(res, 405, "Method Not Allowed", `${req.method} is not allowed on ${devhostStoragePath}; use GET`);
    if (!ownAzuriteConnectionString) {
      return sendProblem(res, 404, "Not Found", "devhost runs on storage it was given, not its own Azurite; it does not serve that connection string");
    }
    sendJson(res, 200, { connectionString: ownAzuriteConnectionString });
  };
}
