import { positionalArgs } from "../args.js";
import { CliError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { table } from "../output.js";
import type { Command } from "./command.js";
import { attributesText, valueText, type MetricsDocument } from "../../lib/telemetry/metric-text.js";

export type { MetricsDocument, MetricSeries, MetricPoint } from "../../lib/telemetry/metric-text.js";

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
    return points.map((point) => [
      metric.name,
      metric.type,
      point ? attributesText(point.attributes) : "",
      point ? valueText(point, metric.unit) : "(no data)",
    ]);
  });
  if (rows.length === 0) return "no metrics recorded yet";
  return table(rows, ["METRIC", "TYPE", "ATTRIBUTES", "VALUE"]);
}
