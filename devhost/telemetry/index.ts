import { metrics, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { metricsView, type MetricsSnapshot } from "./metrics-view.js";
import { SpanStore } from "./span-store.js";

export type { MetricsSnapshot, MetricView, MetricPointView } from "./metrics-view.js";
export type { SpanView } from "./span-store.js";
export { SpanStore } from "./span-store.js";
export { telemetryRoutes, devhostMetricsPath, devhostTracesPath } from "./routes.js";

/** A pull reader: collects (cumulative, since start) whenever asked; nothing is pushed anywhere. */
class SnapshotReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface DevhostTelemetry {
  /** Every metric the app emitted in this process, cumulative. */
  metrics(): Promise<MetricsSnapshot>;
  /** The most recent ended spans. */
  spans: SpanStore;
  /** False when another SDK was registered first in this process (then that one gets the telemetry). */
  registered: { metrics: boolean; traces: boolean };
}

const key = Symbol.for("lucius.devhost.telemetry");
type Holder = { [key]?: DevhostTelemetry };

/**
 * Registers the process's OpenTelemetry SDK for devhost: a MeterProvider with an in-memory
 * pull reader and a TracerProvider keeping recent spans in memory. Once per process (every
 * devhost in it shares them), and before the app loads: the app creates its instruments
 * on the global provider at first use.
 */
export function devhostTelemetry(): DevhostTelemetry {
  const holder = globalThis as Holder;
  if (holder[key]) return holder[key];
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: "lucius-devhost" });
  const reader = new SnapshotReader();
  const spans = new SpanStore();
  const registered = {
    metrics: metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers: [reader] })),
    traces: trace.setGlobalTracerProvider(new BasicTracerProvider({ resource, spanProcessors: [spans] })),
  };
  const telemetry: DevhostTelemetry = {
    async metrics() {
      if (!registered.metrics) return { metrics: [] };
      const { resourceMetrics } = await reader.collect();
      return metricsView(resourceMetrics);
    },
    spans,
    registered,
  };
  holder[key] = telemetry;
  return telemetry;
}
