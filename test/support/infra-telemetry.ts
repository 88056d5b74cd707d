/**
 * The telemetry contract between lib/config/names.ts and the monitoring Bicep: the names the
 * alert rules and the workbook query are the names the app emits.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { bicepFile } from "./bicep-resolve.js";
import { objectEntries, stringLiteral } from "./bicep-text.js";

export interface TelemetryNames {
  MetricNames: Record<string, string>;
  TelemetryAttributeNames: Record<string, string>;
}

function exportedObject(path: string, name: string): Record<string, string> {
  const variable = bicepFile(path).vars.get(name);
  if (!variable?.exported) throw new Error(`${path}: no exported var '${name}'`);
  return Object.fromEntries([...objectEntries(variable.value)].map(([key, value]) => [key, stringLiteral(value) ?? value]));
}

/** Infra mirrors a subset of the code's names (the code may emit more than monitoring queries). */
function compare(label: string, code: Record<string, string>, infra: Record<string, string>, problems: string[]): void {
  for (const [key, value] of Object.entries(infra)) {
    if (!(key in code)) problems.push(`${label}.${key} is in infra but not in the code`);
    else if (code[key] !== value) problems.push(`${label}.${key} is '${code[key]}' in the code but '${value}' in infra`);
  }
}

/** Problems between the code's telemetry names and infra/modules (names file, alerts, workbook). */
export function telemetryProblems(code: TelemetryNames, modulesDir: string): string[] {
  const problems: string[] = [];
  const namesFile = join(modulesDir, "telemetry-names.bicep");
  compare("metricNames", code.MetricNames, exportedObject(namesFile, "metricNames"), problems);
  compare("attributeNames", code.TelemetryAttributeNames, exportedObject(namesFile, "attributeNames"), problems);

  const known = new Set(Object.values(code.MetricNames));
  const used = new Set<string>();
  for (const entry of readdirSync(modulesDir).filter((f) => f.endsWith(".bicep"))) {
    const file = bicepFile(join(modulesDir, entry));
    if (entry !== "telemetry-names.bicep") {
      for (const match of file.code.matchAll(/\blucius\.[a-z0-9_.]+[a-z0-9_]/g)) {
        if (!known.has(match[0])) problems.push(`${entry}: hard-codes metric '${match[0]}', which the code does not emit`);
      }
    }
    for (const match of file.code.matchAll(/\bmetricNames\.(\w+)/g)) {
      if (!(match[1]! in code.MetricNames)) problems.push(`${entry}: metricNames.${match[1]} is not a metric of the code`);
      if (!file.imports.some((i) => i.names.includes("metricNames") && i.path === "telemetry-names.bicep")) {
        problems.push(`${entry}: uses metricNames without importing it from telemetry-names.bicep`);
      }
      used.add(match[1]!);
    }
  }
  for (const key of Object.keys(exportedObject(namesFile, "metricNames"))) {
    if (!used.has(key)) problems.push(`metric '${key}' is queried by no alert rule or workbook`);
  }
  return problems;
}
