import { sendJson, sendProblem } from "../http/problem.js";
import type { MountHandler } from "../http/server.js";
import type { DevhostTelemetry } from "./index.js";

export const devhostMetricsPath = "/_devhost/metrics";
export const devhostTracesPath = "/_devhost/traces";

/**
 * `GET /_devhost/metrics` → `{ metrics: [{ name, type, unit?, points }] }` (what `lucius stats`
 * prints); `GET /_devhost/traces[?trace_id=…]` → `{ spans: [...] }`, oldest first.
 */
export function telemetryRoutes(telemetry: DevhostTelemetry): Record<string, MountHandler> {
  const getOnly =
    (path: string, serve: MountHandler): MountHandler =>
    async (req, res) => {
      if (req.method !== "GET") return sendProblem(res, 405, "Method Not Allowed", `${req.method} is not allowed on ${path}; use GET`);
      return serve(req, res);
    };
  return {
    [devhostMetricsPath]: getOnly(devhostMetricsPath, async (_req, res) => sendJson(res, 200, await telemetry.metrics())),
    [devhostTracesPath]: getOnly(devhostTracesPath, async (req, res) => {
      const traceId = new URL(req.url ?? "/", "http://devhost").searchParams.get("trace_id") ?? undefined;
      sendJson(res, 200, { spans: telemetry.spans.list(traceId?.toLowerCase()) });
    }),
  };
}
