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
    const sources = ["runtime", "ocr", "embedding", "sis", "text", "openai", "functions"].map((dir) => join("workers", dir));
    expect(envReadsUnder([...sources, join("lib", "refs")].map((dir) => join(packageRoot, dir)))).toEqual([]);
  });
});
