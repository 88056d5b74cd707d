import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { objectEntries, parseBicep, stringLiteral, type BicepFile } from "../support/bicep-text.js";

const infra = join(packageRoot, "infra");
const authModulePath = join(infra, "modules", "app-authentication.bicep");

/** The value text at a path of nested object literals, or undefined. */
function at(literal: string | undefined, ...keys: string[]): string | undefined {
  let value = literal;
  for (const key of keys) {
    if (value === undefined || !value.trim().startsWith("{")) return undefined;
    value = objectEntries(value).get(key);
  }
  return value?.trim();
}

/** What App Service authentication in front of the API must look like. */
function easyAuthProblems(file: BicepFile): string[] {
  const auth = [...file.resources.values()].find(
    (r) => r.type === "Microsoft.Web/sites/config" && stringLiteral(objectEntries(r.body).get("name") ?? "") === "authsettingsV2",
  );
  if (!auth) return ["no Microsoft.Web/sites/config resource named authsettingsV2"];
  const properties = objectEntries(auth.body).get("properties");
  const expected: [string[], string, string][] = [
    [["platform", "enabled"], "true", "App Service authentication is not enabled"],
    [["httpSettings", "requireHttps"], "true", "HTTPS is not required"],
    [["globalValidation", "requireAuthentication"], "false", "anonymous requests (API keys, /health) would never reach the app"],
    [["globalValidation", "unauthenticatedClientAction"], "'AllowAnonymous'", "anonymous requests (API keys, /health) would never reach the app"],
    [["identityProviders", "azureActiveDirectory", "enabled"], "true", "Entra ID is not enabled"],
    [["identityProviders", "azureActiveDirectory", "registration", "clientId"], "clientId", "the app registration is not the clientId param"],
    [["login", "tokenStore", "enabled"], "false", "the token store is on (the API needs no stored tokens)"],
  ];
  const problems = expected
    .filter(([path, value]) => at(properties, ...path) !== value)
    .map(([path, value, why]) => `${path.join(".")} must be ${value}: ${why}`);
  const audiences = at(properties, "identityProviders", "azureActiveDirectory", "validation", "allowedAudiences") ?? "";
  if (!/\bclientId\b/.test(audiences)) problems.push("validation.allowedAudiences does not name the app registration");
  return problems;
}

describe("App Service authentication in the Bicep", () => {
  it("configures authsettingsV2 with Entra ID, HTTPS required and anonymous requests passed to the app", () => {
    expect(easyAuthProblems(bicepFile(authModulePath))).toEqual([]);
  });

  it("puts it in front of the orchestrator Function App, the one serving the API", () => {
    const main = bicepFile(join(infra, "main.bicep"));
    const modules = [...main.modules.values()].filter((m) => m.path === "modules/app-authentication.bicep");
    expect(modules.map((m) => m.params.get("siteName"))).toEqual(["orchestratorApp.outputs.name"]);
    expect(modules[0]!.params.get("clientId")).toBe("authClientId");
    const orchestrator = main.modules.get("orchestratorApp")!;
    expect(orchestrator.params.get("serviceName")).toBe("orchestratorService");
  });

  it("passes the tenant mapping and the hashed API keys to the app as settings", () => {
    const settings = objectEntries(bicepFile(join(infra, "main.bicep")).vars.get("orchestratorSettings")!.value);
    // The key hashes go through the module's secure parameter, not the plain settings object.
    expect(settings.has("LUCIUS_API_KEYS")).toBe(false);
    const secure = objectEntries(bicepFile(join(infra, "main.bicep")).modules.get("orchestratorApp")!.params.get("secureAppSettings")!);
    expect(secure.get("LUCIUS_API_KEYS")).toBe("empty(apiKeys.?keys ?? []) ? '' : string(apiKeys.keys)");
    expect(settings.get("LUCIUS_TENANT_ROLE_PREFIX")).toBe("tenantRolePrefix");
    expect(settings.get("LUCIUS_TENANT_CLAIM")).toBe("tenantClaim");
    // Hashes are not secrets, but @secure keeps them out of the deployment history all the same.
    expect(readFileSync(join(infra, "main.bicep"), "utf8")).toMatch(/@secure\(\)\s*\n(@description\([^\n]*\)\s*\n)?param apiKeys object/);
  });

  it("catches plain HTTP, a login wall in front of API keys and a missing resource", () => {
    const text = readFileSync(authModulePath, "utf8");
    const weakened = text
      .replace(/requireHttps:\s*true/, "requireHttps: false")
      .replace(/unauthenticatedClientAction:\s*'AllowAnonymous'/, "unauthenticatedClientAction: 'Return401'");
    expect(easyAuthProblems(parseBicep(weakened, "weakened.bicep"))).toEqual([
      "httpSettings.requireHttps must be true: HTTPS is not required",
      "globalValidation.unauthenticatedClientAction must be 'AllowAnonymous': anonymous requests (API keys, /health) would never reach the app",
    ]);
    const renamed = text.replace("name: 'authsettingsV2'", "name: 'authsettings'");
    expect(easyAuthProblems(parseBicep(renamed, "renamed.bicep"))).toEqual(["no Microsoft.Web/sites/config resource named authsettingsV2"]);
  });
});
