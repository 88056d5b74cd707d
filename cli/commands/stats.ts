import { positionalArgs } from "../args.js";
import { CliError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { table } from "../output.js";
import type { Command } from "./command.js";

/** devhost's in-memory metrics, as `GET /_devhost/metrics` serves them. */
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

export const devhostMetricsPath = "/_devhost/metrics";

export const statsCommand: Command = {
  name: "stats",
  summary: "the app's metrics (served by devhost)",
  usage: "stats",
  options: [],
  async run({ line, api, out }) {
    positionalArgs(line, "stats", []);
    const document = await api.get<MetricsDocument>(devhostMetricsPath, { allowNotFound: true });
    if (!document) throw new CliError("metrics are served by devhost only; in Azure use Application Insights", ExitCode.serverError);
    out.result(document, () => out.line(metricsTable(document)));
    return ExitCode.ok;
  },
};

/** One row per point: counters and gauges show their value, histograms count, sum, min, max, p50, p99. */
export function metricsTable(document: MetricsDocument): string {
  const rows = (document.metrics ?? []).flatMap((metric) => {
    const points = metric.points.length > 0 ? metric.points : [undefined];
    return points.map((point) => [metric.name, metric.type, point ? attributesText(point.attributes) : "", point ? valueText(point, metric.unit) : "(no data)"]);
  });
  if (rows.length === 0) return "no metrics recorded yet";
  return table(rows, ["METRIC", "TYPE", "ATTRIBUTES", "VALUE"]);
}

function attributesText(attributes: Record<string, unknown>): string {
  return Object.entries(attributes ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(" ");
}

function valueText(point: MetricPoint, unit: string | undefined): string {
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
