import { metrics, type Counter } from "@opentelemetry/api";
import { MetricNames } from "../config/names.js";
import { packageVersion } from "../paths.js";

/**
 * The app's instruments, on the OpenTelemetry API only: without a registered
 * SDK they cost nothing; with one (Azure Monitor, or an in-memory exporter in
 * tests) they are exported. Created lazily so an SDK registered at start-up is used.
 */
let instruments: { repliesIgnored: Counter; messagesDeadLettered: Counter } | undefined;

export function appMetrics() {
  if (!instruments) {
    const meter = metrics.getMeter("lucius", packageVersion);
    instruments = {
      repliesIgnored: meter.createCounter(MetricNames.repliesIgnored, { description: "Worker replies that changed nothing, by reason" }),
      messagesDeadLettered: meter.createCounter(MetricNames.messagesDeadLettered, { description: "Messages the app dead-lettered, by reason" }),
    };
  }
  return instruments;
}
