import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile, type Scope } from "../support/bicep-resolve.js";
import { functionAppSettings } from "../support/infra-contract.js";
import { reachableBicepFiles } from "../support/infra-crossfile.js";
import { secretProblems, secretSettingProblems } from "../support/infra-secrets.js";

const infra = join(packageRoot, "infra");
const fixtures = join(packageRoot, "test", "fixtures", "infra");
const main = join(infra, "main.bicep");

describe("no secrets in the Bicep", () => {
  it("no key, SAS or connection string in any file, output or setting; local auth off everywhere", () => {
    expect(secretProblems(reachableBicepFiles(main), infra)).toEqual([]);
  });

  it("app settings of both Function Apps hold no secret-looking names", () => {
    const scope: Scope = { file: bicepFile(main) };
    for (const service of ["orchestrator", "workers"]) {
      expect(secretSettingProblems(functionAppSettings(scope, service))).toEqual([]);
    }
    expect(secretSettingProblems(["STORAGE_ACCOUNT_KEY", "LUCIUS_LANES", "OPENAI_API_SECRET"])).toEqual([
      "app setting 'STORAGE_ACCOUNT_KEY' looks like it holds a secret",
      "app setting 'OPENAI_API_SECRET' looks like it holds a secret",
    ]);
  });

  it("the Durable Task Scheduler connection names an endpoint and the managed identity, nothing else", () => {
    const value = bicepFile(main).vars.get("schedulerSettings")!.value;
    expect(value).toMatch(/DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=\$\{[^}]+\};Authentication=ManagedIdentity;ClientID=\$\{[^}]+\}'/);
  });

  it("sets allowSharedKeyAccess: false and disableLocalAuth: true on the storage, Service Bus and Application Insights modules", () => {
    const byPath = (fragment: string) =>
      reachableBicepFiles(main)
        .flatMap((path) => [...bicepFile(path).modules.values()])
        .filter((m) => m.path.includes(fragment));
    expect(byPath("avm/res/storage/storage-account:").map((m) => m.params.get("allowSharedKeyAccess"))).toEqual(["false"]);
    expect(byPath("avm/res/service-bus/namespace:").map((m) => m.params.get("disableLocalAuth"))).toEqual(["true"]);
    expect(byPath("avm/res/insights/component:").map((m) => m.params.get("disableLocalAuth"))).toEqual(["true"]);
  });

  it("reports every leak in a leaky file", () => {
    const problems = secretProblems([join(fixtures, "leaky", "main.bicep")], fixtures);
    const at = (line: number) => problems.filter((p) => p.startsWith(`leaky/main.bicep:${line}:`)).length;
    expect(at(8)).toBe(1); // allowSharedKeyAccess: true
    expect(at(16)).toBe(1); // disableLocalAuth: false
    expect(at(29)).toBe(2); // AccountKey= and listKeys()
    expect(at(30)).toBe(1); // SharedAccessKey
    expect(at(33)).toBe(2); // output with AccountKey= and listKeys()
    expect(at(34)).toBe(1); // AVM connection string output
    expect(at(35)).toBe(1); // instrumentation key output
    expect(problems).toEqual(
      expect.arrayContaining([
        "leaky/main.bicep: output 'storageConnection' carries a secret-looking value: 'AccountKey=${account.listKeys().keys[0].value}'",
        "leaky/main.bicep: output 'busConnectionString' looks like a secret",
        "leaky/main.bicep: output 'aiKey' looks like a secret",
        "leaky/main.bicep: storage account 'account' is declared directly; use the storage module (shared keys off)",
        "leaky/main.bicep:12: module 'bus' must set disableLocalAuth: true (got false)",
        "leaky/main.bicep:20: module 'insights' must set disableLocalAuth: true (got nothing)",
      ]),
    );
  });
});
