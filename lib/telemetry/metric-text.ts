/**
 * devhost's in-memory metrics as `GET /_devhost/metrics` serves them, and how a point reads as
 * text: one form for `lucius stats` and the console's devhost page. Pure, so the browser bundle
 * can use it too.
 */
export interface MetricsDocument {
  metrics: MetricSeries[];
}

export interface MetricSeries {
  name: string;
  type: "counter" | "histogram" | "gauge";
  unit?: string;
  points: MetricPoint[];
}

export type MetricPoint =
  | { attributes: Record<string, unknown>; value: number }
  | { attributes: Record<string, unknown>; count: number; sum: number; min: number; max: number; p50?: number; p99?: number };

export function attributesText(attributes: Record<string, unknown>): string {
  return Object.entries(attributes ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

/** A value with its unit, or a histogram's count, sum, min, max, p50 and p99. */
export function valueText(point: MetricPoint, unit: string | undefined): string {
  const u = unit && unit !== "1" ? ` ${unit}` : "";
  if ("value" in point) return `${round(point.value)}${u}`;
  const parts = [`count=${point.count}`, `sum=${round(point.sum)}${u}`, `min=${round(point.min)}`, `max=${round(point.max)}`];
  if (point.p50 !== undefined) parts.push(`p50=${round(point.p50)}`);
  if (point.p99 !== undefined) parts.push(`p99=${round(point.p99)}`);
  return parts.join(" ");
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
