import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../../lib/paths.js";
import { azdSubstitute } from "../support/azd-substitution.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { functionAppSettings } from "../support/infra-contract.js";

const main = bicepFile(join(packageRoot, "infra", "main.bicep"));
// The file is a template for azd's substitution (unquoted `${...}` for the JSON settings), so it
// is read the way azd reads it: substituted first, here with an empty environment.
const readJson = (path: string) => JSON.parse(azdSubstitute(readFileSync(path, "utf8"), {})) as { parameters: Record<string, { value: unknown }> };

/** Problems between a parameters file and main.bicep's params. */
function parameterProblems(parameters: Record<string, { value: unknown }>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(parameters)) if (!main.params.has(name)) problems.push(`'${name}' is not a parameter of main.bicep`);
  for (const param of main.params.values()) {
    if (param.required && !(param.name in parameters)) problems.push(`required parameter '${param.name}' is not mapped`);
  }
  return problems;
}

describe("azd wiring", () => {
  const azure = parse(readFileSync(join(packageRoot, "azure.yaml"), "utf8")) as {
    name: string;
    services: Record<string, { project: string; language: string; host: string }>;
  };

  it("azure.yaml deploys the root project as 'orchestrator' and ./workers as 'workers' to Function Apps", () => {
    expect(azure.services["orchestrator"]).toMatchObject({ project: ".", language: "ts", host: "function" });
    expect(azure.services["workers"]).toMatchObject({ project: "./workers", language: "ts", host: "function" });
    expect(azure.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("every azd service has a Function App tagged with its name in main.bicep", () => {
    for (const service of Object.keys(azure.services)) {
      expect(functionAppSettings({ file: main }, service).size).toBeGreaterThan(0);
    }
  });

  it("main.parameters.json maps the azd environment onto main.bicep's parameters", () => {
    const path = join(packageRoot, "infra", "main.parameters.json");
    expect(parameterProblems(readJson(path).parameters)).toEqual([]);
    const text = readFileSync(path, "utf8");
    expect(text).toContain('"environmentName": { "value": "${AZURE_ENV_NAME}" }');
    expect(text).toContain('"location": { "value": "${AZURE_LOCATION}" }');
    expect(text).toContain('"principalId": { "value": "${AZURE_PRINCIPAL_ID}" }');
  });

  it("a parameters file that maps a wrong name is caught", () => {
    const { parameters } = readJson(join(packageRoot, "test", "fixtures", "infra", "main.parameters.bad.json"));
    expect(parameterProblems(parameters)).toEqual(["'region' is not a parameter of main.bicep", "required parameter 'location' is not mapped"]);
  });

  it("outputs give azd the API endpoint and resource names", () => {
    expect([...main.outputs.keys()]).toEqual(
      expect.arrayContaining([
        "AZURE_LOCATION",
        "AZURE_TENANT_ID",
        "AZURE_RESOURCE_GROUP",
        "LUCIUS_API_URL",
        "SERVICE_ORCHESTRATOR_NAME",
        "SERVICE_WORKERS_NAME",
      ]),
    );
  });
});
