import type { LogSink } from "../../lib/telemetry/log.js";
import type { Logger } from "../log.js";

/**
 * The app's structured log lines, printed by devhost at its own level. Their warnings are
 * outcomes (a job failed, a reply was dead-lettered), not faults of the host: they show at
 * `info` like the rest, and only errors pass a quieter level.
 */
export function devhostLogSink(log: Logger): LogSink {
  return (record) => log.app("lucius", record.level === "error" ? "error" : "information", [JSON.stringify(record)]);
}
