import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { azdParameters, azdSubstitute, typeProblem } from "../support/azd-substitution.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { parseBicep } from "../support/bicep-text.js";
import { isSecureParam, securePathProblems } from "../support/infra-secure-params.js";

const infra = join(packageRoot, "infra");
const mainPath = join(infra, "main.bicep");
const main = bicepFile(mainPath);
const template = readFileSync(join(infra, "main.parameters.json"), "utf8");

const baseEnv = { AZURE_ENV_NAME: "dev", AZURE_LOCATION: "swedencentral", AZURE_PRINCIPAL_ID: "00000000-0000-0000-0000-000000000000" };
const apiKeys = '[{"name":"ci","sha256":"' + "a".repeat(64) + '","tenants":["*"]}]';

/** Every parameter azd would pass whose value the Bicep param would refuse. */
function typeProblems(parameters: Record<string, unknown>): string[] {
  return Object.entries(parameters).flatMap(([name, value]) => {
    const param = main.params.get(name);
    if (!param) return [`'${name}' is not a parameter of main.bicep`];
    return typeProblem(name, param.type.replace(/\?$/, ""), value) ?? [];
  });
}

describe("azd's substitution over main.parameters.json", () => {
  it("reads like envsubst: values inserted unescaped, defaults when unset or empty", () => {
    expect(azdSubstitute('{"a": "${X}", "b": ${Y=null}, "c": "${Z=d}", "$schema": "$$x"}', { X: 'q"r', Z: "" })).toBe(
      '{"a": "q"r", "b": null, "c": "d", "$schema": "$x"}',
    );
    expect(() => azdSubstitute("${X/a/b}", {})).toThrow(/not understood/);
  });

  it("parses with an empty environment, every value of its Bicep type", () => {
    const parameters = azdParameters(template, baseEnv);
    expect(typeProblems(parameters)).toEqual([]);
    // Unset JSON settings are dropped (null), so the Bicep defaults apply.
    expect(parameters).not.toHaveProperty("tenantInFlightOverrides");
    expect(parameters).not.toHaveProperty("tenantInputAllowlists");
    expect(parameters["apiKeys"]).toEqual({ keys: [] });
  });

  it("parses with LUCIUS_TENANT_INFLIGHT_OVERRIDES='{\"big-tenant\": 500}' and raw JSON API keys", () => {
    const parameters = azdParameters(template, {
      ...baseEnv,
      LUCIUS_TENANT_INFLIGHT_OVERRIDES: '{"big-tenant": 500}',
      LUCIUS_TENANT_INPUT_ALLOWLISTS: '{"t1": ["https://docs.example.com/in/"]}',
      LUCIUS_API_KEYS: apiKeys,
    });
    expect(typeProblems(parameters)).toEqual([]);
    expect(parameters["tenantInFlightOverrides"]).toEqual({ "big-tenant": 500 });
    expect(parameters["tenantInputAllowlists"]).toEqual({ t1: ["https://docs.example.com/in/"] });
    expect(parameters["apiKeys"]).toEqual({ keys: JSON.parse(apiKeys) });
    // The app reads LUCIUS_API_KEYS as the keys array; main.bicep writes string(apiKeys.keys).
    expect(main.modules.get("orchestratorApp")!.params.get("secureAppSettings")).toContain("string(apiKeys.keys)");
  });

  it("fails the way azd did on the old quoted form", () => {
    const quoted = template.replace("${LUCIUS_TENANT_INFLIGHT_OVERRIDES=null}", '"${LUCIUS_TENANT_INFLIGHT_OVERRIDES=}"');
    expect(() => azdParameters(quoted, { ...baseEnv, LUCIUS_TENANT_INFLIGHT_OVERRIDES: '{"big-tenant": 500}' })).toThrow(SyntaxError);
    // Quoted but unset parses, and then hands a string to the object parameter.
    expect(typeProblems(azdParameters(quoted, baseEnv))).toEqual(["tenantInFlightOverrides: a string for an object parameter"]);
  });

  it("every JSON setting is an object parameter substituted unquoted", () => {
    for (const name of ["tenantInFlightOverrides", "tenantInputAllowlists", "apiKeys"]) {
      expect(main.params.get(name)?.type).toBe("object");
      expect(template).toMatch(new RegExp(`"${name}": \\{ "value": [^"]`));
    }
  });
});

describe("Flex Consumption bounds", () => {
  it("maximumInstanceCount is 40 to 1000 in main.bicep and the function-app module", () => {
    for (const path of [mainPath, join(infra, "modules", "function-app.bicep")]) {
      const text = bicepFile(path).code;
      expect(text).toMatch(/@minValue\(40\)\s*\n@maxValue\(1000\)\s*\nparam maximumInstanceCount int = 100/);
    }
  });

  it("the apps run Node 22", () => {
    const app = bicepFile(join(infra, "modules", "function-app.bicep"));
    expect(app.params.get("nodeVersion")?.defaultValue).toBe("'22'");
    expect(app.code).toMatch(/@allowed\(\['22'\]\)\s*\nparam nodeVersion/);
    expect(main.modules.get("orchestratorApp")!.params.has("nodeVersion")).toBe(false);
    expect(main.modules.get("workersApp")!.params.has("nodeVersion")).toBe(false);
  });
});

describe("secure parameters all the way down", () => {
  it("the API key hashes are @secure() in main.bicep and reach the app only through @secure() module parameters", () => {
    expect(isSecureParam(main, "apiKeys")).toBe(true);
    expect(securePathProblems(main)).toEqual([]);
    const app = bicepFile(join(infra, "modules", "function-app.bicep"));
    expect(isSecureParam(app, "secureAppSettings")).toBe(true);
    expect(isSecureParam(app, "appSettings")).toBe(false);
  });

  it("catches the hashes put back into the plain settings object", () => {
    const leaky = parseBicep(
      main.code.replace("  LUCIUS_TENANT_ROLE_PREFIX: tenantRolePrefix", "  LUCIUS_API_KEYS: string(apiKeys)\n  LUCIUS_TENANT_ROLE_PREFIX: tenantRolePrefix"),
      mainPath,
    );
    expect(securePathProblems(leaky)).toEqual([
      "infra/main.bicep: module 'orchestratorApp' param 'appSettings' gets secure orchestratorSettings but is not @secure()",
    ]);
  });

  it("catches a module that drops @secure()", () => {
    const appPath = join(infra, "modules", "function-app.bicep");
    const plain = parseBicep(
      bicepFile(appPath).code.replace(/@secure\(\)\n(@description\([^\n]*\)\n)param secureAppSettings/, "$1param secureAppSettings"),
      appPath,
    );
    const load = (path: string) => (path === appPath ? plain : bicepFile(path));
    expect(securePathProblems(main, undefined, load)).toEqual([
      "infra/main.bicep: module 'orchestratorApp' param 'secureAppSettings' gets secure apiKeys but is not @secure()",
    ]);
  });
});
