import type { LogSink } from "../../lib/telemetry/log.js";
import type { Logger } from "../log.js";

/** The app's structured log lines, printed by devhost at its own level (warnings and errors show at `error`). */
export function devhostLogSink(log: Logger): LogSink {
  return (record) => log.app("lucius", record.level === "info" ? "information" : record.level === "warn" ? "warning" : "error", [JSON.stringify(record)]);
}
