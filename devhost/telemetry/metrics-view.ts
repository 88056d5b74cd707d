import { DataPointType, type MetricData, type ResourceMetrics } from "@opentelemetry/sdk-metrics";

/** One point: a counter's or gauge's value, or a histogram's summary. */
export type MetricPointView =
  { attributes: Record<string, unknown>; value: number } | { attributes: Record<string, unknown>; count: number; sum: number; min: number; max: number };

/** A metric as `GET /_devhost/metrics` serves it (and `lucius stats` reads it). */
export interface MetricView {
  name: string;
  type: "counter" | "histogram" | "gauge";
  unit?: string;
  points: MetricPointView[];
}

export interface MetricsSnapshot {
  metrics: MetricView[];
}

function typeOf(metric: MetricData): MetricView["type"] {
  if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return "histogram";
  // An up-down counter is a level, not a running total: shown as a gauge.
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return "counter";
  return "gauge";
}

function pointsOf(metric: MetricData): MetricPointView[] {
  const points: MetricPointView[] = [];
  for (const point of metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>) {
    const attributes = { ...point.attributes };
    if (typeof point.value === "number") {
      points.push({ attributes, value: point.value });
    } else {
      const h = point.value as { count: number; sum?: number; min?: number; max?: number };
      points.push({ attributes, count: h.count, sum: h.sum ?? 0, min: h.min ?? 0, max: h.max ?? 0 });
    }
  }
  return points;
}

/** Collected OpenTelemetry metrics in the devhost's JSON shape, sorted by name. */
export function metricsView(collected: ResourceMetrics): MetricsSnapshot {
  const metrics: MetricView[] = [];
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      const unit = metric.descriptor.unit;
      metrics.push({ name: metric.descriptor.name, type: typeOf(metric), ...(unit ? { unit } : {}), points: pointsOf(metric) });
    }
  }
  return { metrics: metrics.sort((a, b) => a.name.localeCompare(b.name)) };
}
