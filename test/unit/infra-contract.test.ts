import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as names from "../../lib/config/names.js";
import { packageRoot } from "../../lib/paths.js";
import * as renamedTopic from "../fixtures/infra/names-renamed-topic.js";
import {
  contractProblems,
  envReadsIn,
  envReadsUnder,
  notDeployedSettings,
  readInfraNames,
  registryProblems,
  wiringProblems,
} from "../support/infra-contract.js";

const main = join(packageRoot, "infra", "main.bicep");
const fixtures = join(packageRoot, "test", "fixtures", "infra");
const codeDirs = ["lib", "functions", "orchestrations"].map((dir) => join(packageRoot, dir));
const registry = JSON.parse(readFileSync(join(packageRoot, "protocols", "registry.v1.json"), "utf8")) as Parameters<typeof registryProblems>[0];

describe("config contract between lib/config/names.ts and infra/", () => {
  const infra = readInfraNames(main);
  /** Problems a drifted copy adds to the real pair (so the cases hold while names.ts grows). */
  const added = (problems: string[]) => {
    const baseline = contractProblems(names, infra);
    return problems.filter((p) => !baseline.includes(p));
  };

  it("declares every table, container, topic, subscription and app setting the code uses, and no other", () => {
    expect(contractProblems(names, infra, envReadsUnder(codeDirs))).toEqual([]);
  });

  it("fails when a topic is renamed in the code only", () => {
    // The fixture is a frozen copy of names.ts; only its resource names are compared here.
    const problems = contractProblems(renamedTopic, infra).filter((p) => !p.startsWith("app setting"));
    expect(problems).toEqual([
      "topic 'step-directives' is used by the code but not declared in infra",
      "topic 'directives' is declared in infra but unknown to the code",
    ]);
  });

  it("fails when infra loses a table, a container or a subscription, or gains a setting the code does not read", () => {
    const drifted = {
      ...infra,
      tables: infra.tables.filter((t) => t !== names.TableNames.tenantIndex),
      dataContainers: [...infra.dataContainers, "scratch"],
      subscriptions: { ...infra.subscriptions, replies: [] },
      orchestratorSettings: [...infra.orchestratorSettings.filter((s) => s !== "LUCIUS_LANES"), "LUCIUS_FEATURE_X", "LUCIUS_TABLE_PREFIX"],
    };
    expect(added(contractProblems(names, drifted))).toEqual([
      "table 'tenantindex' is used by the code but not declared in infra",
      "container 'scratch' is declared in infra but unknown to the code",
      "subscription on 'replies':  'orchestrator' is used by the code but not declared in infra",
      "app setting 'LUCIUS_LANES' is read by the code but not set in infra",
      "app setting 'LUCIUS_FEATURE_X' is set in infra but unknown to the code",
      "app setting 'LUCIUS_TABLE_PREFIX' is set in infra but is test isolation only",
    ]);
  });

  it("counts identity-based connections (<name>__<property>) as the connection setting", () => {
    const withoutBus = infra.orchestratorSettings.filter((s) => !s.startsWith(`${names.AppSettingNames.serviceBus}__`));
    expect(added(contractProblems(names, { ...infra, orchestratorSettings: withoutBus }))).toEqual([
      "app setting 'ServiceBusConnection' is read by the code but not set in infra",
    ]);
    const withSasKey = [...infra.orchestratorSettings, "ServiceBusConnection__sasKey"];
    expect(added(contractProblems(names, { ...infra, orchestratorSettings: withSasKey }))).toEqual([
      "app setting 'ServiceBusConnection__sasKey' is set in infra but unknown to the code",
    ]);
  });

  it("requires infra to set every env var the source reads literally", () => {
    const reads = envReadsIn(readFileSync(join(fixtures, "env-reads.source.txt"), "utf8"));
    expect(reads.sort()).toEqual(["LUCIUS_ALLOWLIST", "LUCIUS_REGION", "LUCIUS_TASK_HUB", "LUCIUS_TENANT_QUOTA"]);
    expect(added(contractProblems(names, infra, reads))).toEqual([
      "app setting 'LUCIUS_ALLOWLIST' is read by the code but not set in infra",
      "app setting 'LUCIUS_REGION' is read by the code but not set in infra",
      "app setting 'LUCIUS_TENANT_QUOTA' is read by the code but not set in infra",
    ]);
  });

  it("leaves out only the documented devhost and test settings", () => {
    const { devhostUrl, devhostKey, tablePrefix, stepDefaults, protocolRegistry, trustClientPrincipal } = names.AppSettingNames as Record<string, string>;
    expect(Object.keys(notDeployedSettings).sort()).toEqual([devhostUrl, devhostKey, tablePrefix, stepDefaults, protocolRegistry, trustClientPrincipal].sort());
    expect(infra.orchestratorSettings).toEqual(expect.arrayContaining(["LUCIUS_BUS_MODE", "LUCIUS_TASK_HUB", "LUCIUS_MAX_BODY_BYTES", "LUCIUS_LANES"]));
  });

  it("routes each worker service's step type, as the protocol registry does", () => {
    expect(registryProblems(registry, infra)).toEqual([]);
    const swapped = { ...infra, directiveStepTypes: { ...infra.directiveStepTypes, "platform-ocr": "SIS" } };
    expect(registryProblems(registry, swapped)).toEqual(["subscription 'platform-ocr' filters step_type 'SIS' but the registry routes OCR to it"]);
  });

  it("passes the names on to the storage and Service Bus resources", () => {
    expect(wiringProblems(main)).toEqual([]);
  });
});
