import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricNames, TelemetryAttributeNames } from "../../lib/config/names.js";
import { packageRoot } from "../../lib/paths.js";
import * as renamed from "../fixtures/infra/names-renamed-topic.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { telemetryProblems } from "../support/infra-telemetry.js";

const modules = join(packageRoot, "infra", "modules");

describe("telemetry names shared by the code and the monitoring Bicep", () => {
  it("alert rules and the workbook query exactly the metric and attribute names the code defines", () => {
    expect(telemetryProblems({ MetricNames, TelemetryAttributeNames }, modules)).toEqual([]);
  });

  it("monitoring covers the four contract metrics", () => {
    const mirrored = bicepFile(join(modules, "telemetry-names.bicep")).vars.get("metricNames")!.value;
    for (const name of ["lucius.jobs.terminal", "lucius.step.attempt.duration", "lucius.step.retries", "lucius.messages.deadlettered"]) {
      expect(Object.values(MetricNames)).toContain(name);
      expect(mirrored).toContain(`'${name}'`);
    }
  });

  it("fails when the code renames a metric that an alert queries", () => {
    expect(telemetryProblems({ MetricNames: renamed.MetricNames, TelemetryAttributeNames }, modules)).toEqual([
      "metricNames.jobsTerminal is 'lucius.jobs.finished' in the code but 'lucius.jobs.terminal' in infra",
    ]);
  });

  it("fails when an attribute the workbook groups by is missing from the code", () => {
    const { cause: _cause, ...withoutCause } = TelemetryAttributeNames;
    expect(telemetryProblems({ MetricNames, TelemetryAttributeNames: withoutCause }, modules)).toEqual([
      "attributeNames.cause is in infra but not in the code",
    ]);
  });
});
