import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppSettingNames, WorkerSettingNames } from "../../lib/config/names.js";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { envReadsUnder, functionAppSettings, identityConnectionProperties } from "../support/infra-contract.js";

const main = join(packageRoot, "infra", "main.bicep");
const workerSettings = functionAppSettings({ file: bicepFile(main) }, "workers");

/** Settings on the workers app that no Lucius code reads by name: the platform's and the SDK's. */
const platformSettings = new Set(["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "AZURE_CLIENT_ID"]);
const connections: string[] = [AppSettingNames.storage, AppSettingNames.serviceBus];
/** Settings both apps read: the bus mode and the input allowlists (intake checks refs, and so do the workers). */
const shared: string[] = [AppSettingNames.busMode, AppSettingNames.inputAllowlist, AppSettingNames.tenantInputAllowlists];
const isConnection = (name: string) => connections.some((c) => name.startsWith(`${c}__`) && identityConnectionProperties.includes(name.slice(c.length + 2)));

describe("config contract between the workers and infra/", () => {
  it("sets every worker setting on the workers Function App", () => {
    for (const name of [...Object.values(WorkerSettingNames), ...shared]) expect(workerSettings, name).toContain(name);
  });

  it("sets nothing on the workers app that the workers do not read", () => {
    const known = new Set<string>([...Object.values(WorkerSettingNames), ...shared, ...platformSettings]);
    expect([...workerSettings].filter((name) => !known.has(name) && !isConnection(name))).toEqual([]);
  });

  it("reads no environment variable by a literal name in workers/ or lib/refs/", () => {
    const sources = ["runtime", "ocr", "embedding", "sis", "text", "openai", "azure", "functions"].map((dir) => join("workers", dir));
    expect(envReadsUnder([...sources, join("lib", "refs")].map((dir) => join(packageRoot, dir)))).toEqual([]);
  });
});

describe("Document Intelligence on demand (infra/modules/document-intelligence.bicep)", () => {
  const module = readFileSync(join(packageRoot, "infra", "modules", "document-intelligence.bicep"), "utf8");
  const main = readFileSync(join(packageRoot, "infra", "main.bicep"), "utf8");

  it("is an account with keys disabled and a custom subdomain (Entra ID tokens need one), read by the workers identity", () => {
    expect(module).toMatch(/kind: 'FormRecognizer'/);
    expect(module).toMatch(/disableLocalAuth: true/);
    expect(module).toMatch(/customSubDomainName: name/);
    expect(module).toMatch(/roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roleIds\.cognitiveServicesUser\)/);
    expect(module).toMatch(/principalId: workersPrincipalId/);
    expect(module).toMatch(/output endpoint string = account\.properties\.endpoint/);
  });

  it("is deployed only when asked, for the workers identity, and its endpoint becomes the workers' setting", () => {
    expect(main).toMatch(/module documentIntelligenceAccount 'modules\/document-intelligence\.bicep' = if \(documentIntelligence\) \{/);
    expect(main).toMatch(/workersPrincipalId: workersIdentity\.outputs\.principalId/);
    expect(main).toMatch(
      /LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT: documentIntelligence \? documentIntelligenceAccount!\.outputs\.endpoint : documentIntelligenceEndpoint/,
    );
    expect(main).toMatch(/param documentIntelligence bool = false/);
  });
});
