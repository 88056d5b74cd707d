/**
 * The config contract between the code and infra/: names of tables, containers, topics,
 * subscriptions and app settings must agree both ways. Pure functions over plain data, so the
 * tests can feed them the real names or a fixture copy that has drifted.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { objectEntries } from "./bicep-text.js";
import { arrayElements, bicepFile, moduleScope, objectKeys, objectValue, stringArray, stringValue, type Scope } from "./bicep-resolve.js";

/** The shape of lib/config/names.ts that the contract needs. */
export interface CodeNames {
  TableNames: Record<string, string>;
  ContainerNames: Record<string, string>;
  TopicNames: Record<string, string>;
  SubscriptionNames: Record<string, readonly string[]>;
  AppSettingNames: Record<string, string>;
}

/** What infra/main.bicep declares. */
export interface InfraNames {
  tables: string[];
  dataContainers: string[];
  deploymentContainers: string[];
  /** Topic names by their TopicNames key. */
  topics: Record<string, string>;
  /** Subscription names by the TopicNames key of their topic. */
  subscriptions: Record<string, string[]>;
  /** The step type each directives subscription filters on. */
  directiveStepTypes: Record<string, string>;
  /** Every app setting the orchestrator Function App can be given. */
  orchestratorSettings: string[];
}

/**
 * Settings the code reads that have no value in Azure, on purpose.
 * - LUCIUS_DEVHOST_URL, LUCIUS_DEVHOST_KEY: only meaningful with LUCIUS_BUS_MODE=devhost (devhost sets
 *   both for the app); Azure runs `servicebus`.
 * - LUCIUS_TABLE_PREFIX: test isolation on a shared Azurite; Azure uses the bare table names
 *   that the Bicep creates (a prefix there would point the app at tables that do not exist).
 * - LUCIUS_STEP_DEFAULTS: shrinks step timeouts and backoff for tests and demos; Azure runs the production defaults.
 * - LUCIUS_TRUST_CLIENT_PRINCIPAL: trusts x-ms-client-principal without App Service authentication in front;
 *   tests only (in Azure, App Service authentication is what makes the header trustworthy, and the
 *   app refuses to start on App Service with it set).
 * Every other setting, defaults included, is set explicitly so the Portal shows what runs.
 */
export const notDeployedSettings: Record<string, string> = {
  LUCIUS_DEVHOST_URL: "devhost only",
  LUCIUS_DEVHOST_KEY: "devhost only",
  LUCIUS_TABLE_PREFIX: "test isolation only",
  LUCIUS_STEP_DEFAULTS: "for tests and demos only",
  LUCIUS_PROTOCOL_REGISTRY: "for tests only (the app ships protocols/registry.v1.json)",
  LUCIUS_TRUST_CLIENT_PRINCIPAL: "for tests only (a forgeable principal)",
};

/** AppSettingNames keys that are Functions identity-based connections (`<name>__<property>`). */
export const identityConnectionKeys = ["storage", "serviceBus"] as const;

/** The `<name>__<property>` suffixes of an identity-based connection. */
export const identityConnectionProperties = [
  "accountName",
  "blobServiceUri",
  "queueServiceUri",
  "tableServiceUri",
  "fullyQualifiedNamespace",
  "credential",
  "clientId",
];

/**
 * Settings that the Functions host or an extension reads, not the app's code. Exact names, and
 * prefixes (ending in `__`) for families.
 */
export const platformSettings: Record<string, string> = {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: "read by the Durable extension through the storageProvider.connectionStringName override",
  AzureFunctionsJobHost__: "host.json overrides, read by the Functions host",
};

function isPlatformSetting(name: string): boolean {
  return Object.keys(platformSettings).some((key) => (key.endsWith("__") ? name.startsWith(key) : name === key));
}

/** Reads the names infra/main.bicep declares, following module parameters into modules/. */
export function readInfraNames(mainPath: string): InfraNames {
  const main: Scope = { file: bicepFile(mainPath) };
  const storage = main.file.modules.get("storage");
  const bus = main.file.modules.get("serviceBus");
  if (!storage || !bus) throw new Error(`${mainPath}: modules 'storage' and 'serviceBus' are expected`);
  const param = (module: typeof storage, name: string) => {
    const value = module.params.get(name);
    if (value === undefined) throw new Error(`${mainPath}: module '${module.symbol}' is not given '${name}'`);
    return value;
  };
  const directiveSubscriptions = arrayElements(param(bus, "directiveSubscriptions"), main).map((item) => ({
    name: stringValue(objectValue(item.expression, "name", item.scope)!.expression, item.scope),
    stepType: stringValue(objectValue(item.expression, "stepType", item.scope)!.expression, item.scope),
  }));
  return {
    tables: stringArray(param(storage, "tables"), main),
    dataContainers: stringArray(param(storage, "dataContainers"), main),
    deploymentContainers: stringArray(param(storage, "deploymentContainers"), main),
    topics: {
      directives: stringValue(param(bus, "directivesTopicName"), main),
      replies: stringValue(param(bus, "repliesTopicName"), main),
    },
    subscriptions: {
      directives: directiveSubscriptions.map((s) => s.name),
      replies: stringArray(param(bus, "replySubscriptions"), main),
    },
    directiveStepTypes: Object.fromEntries(directiveSubscriptions.map((s) => [s.name, s.stepType])),
    orchestratorSettings: [...functionAppSettings(main, "orchestrator")],
  };
}

/** The app settings of the Function App module whose serviceName is `service`. */
export function functionAppSettings(main: Scope, service: string): Set<string> {
  const symbol = [...main.file.modules.values()].find(
    (m) => m.params.has("serviceName") && stringValue(m.params.get("serviceName")!, main) === service,
  )?.symbol;
  if (!symbol) throw new Error(`${main.file.path}: no Function App module with serviceName '${service}'`);
  const app = moduleScope(main, symbol);
  const appsettings = [...app.file.resources.values()].find((r) => r.type === "Microsoft.Web/sites/config" && /name:\s*'appsettings'/.test(r.body));
  if (!appsettings) throw new Error(`${app.file.path}: no 'appsettings' config resource`);
  const properties = objectValue(appsettings.body, "properties", app);
  if (!properties) throw new Error(`${app.file.path}: the appsettings config has no properties`);
  return objectKeys(properties.expression, properties.scope);
}

/**
 * Checks that the names reach the AVM resources inside the modules (a name given to a module
 * that the module then ignores would make the contract above meaningless).
 */
export function wiringProblems(mainPath: string): string[] {
  const problems: string[] = [];
  const main: Scope = { file: bicepFile(mainPath) };
  const storage = moduleScope(main, "storage");
  const account = [...storage.file.modules.values()].find((m) => m.path.includes("avm/res/storage/storage-account:"));
  const tables = account && objectEntries(account.params.get("tableServices") ?? "{}").get("tables");
  if (!tables?.replace(/\s+/g, "").startsWith("map(tables,")) problems.push("storage.bicep: tableServices.tables is not built from the 'tables' param");
  const containers = account && objectEntries(account.params.get("blobServices") ?? "{}").get("containers");
  if (!containers || !/\bdataContainers\b/.test(containers) || !/\bdeploymentContainers\b/.test(containers)) {
    problems.push("storage.bicep: blobServices.containers is not built from 'dataContainers' and 'deploymentContainers'");
  }
  const bus = moduleScope(main, "serviceBus");
  const namespace = [...bus.file.modules.values()].find((m) => m.path.includes("avm/res/service-bus/namespace:"));
  const topics = namespace ? arrayElements(namespace.params.get("topics") ?? "[]", bus) : [];
  const expected = [
    ["directivesTopicName", "directiveSubscriptions"],
    ["repliesTopicName", "replySubscriptions"],
  ] as const;
  for (const [nameParam, subscriptionsParam] of expected) {
    const topic = topics.find((t) => objectValue(t.expression, "name", t.scope)?.expression === nameParam);
    if (!topic) {
      problems.push(`service-bus.bicep: no topic named by the '${nameParam}' param`);
      continue;
    }
    if (objectValue(topic.expression, "requiresDuplicateDetection", topic.scope)?.expression !== "true") {
      problems.push(`service-bus.bicep: topic '${nameParam}' does not require duplicate detection`);
    }
    const subscriptions = objectValue(topic.expression, "subscriptions", topic.scope);
    const built = subscriptions && bus.file.vars.get(subscriptions.expression)?.value.replace(/\s+/g, "");
    if (!built?.startsWith(`map(${subscriptionsParam},`)) {
      problems.push(`service-bus.bicep: the subscriptions of '${nameParam}' are not built from '${subscriptionsParam}'`);
    }
    for (const setting of ["deadLetteringOnMessageExpiration:true", "deadLetteringOnFilterEvaluationExceptions:true", "maxDeliveryCount:maxDeliveryCount"]) {
      if (!built?.includes(setting)) problems.push(`service-bus.bicep: the subscriptions of '${nameParam}' do not set ${setting.replace(":", ": ")}`);
    }
  }
  if (!/sqlExpression:\s*'step_type = \\'\$\{subscription\.stepType\}\\''/.test(bus.file.code)) {
    problems.push("service-bus.bicep: directive subscriptions do not filter on the step_type application property");
  }
  if (!/name:\s*'\$Default'/.test(bus.file.code)) {
    problems.push("service-bus.bicep: the filter rule must replace the $Default (match-all) rule");
  }
  return problems;
}

function sameSet(label: string, code: readonly string[], infra: readonly string[], problems: string[]): void {
  for (const name of code) if (!infra.includes(name)) problems.push(`${label} '${name}' is used by the code but not declared in infra`);
  for (const name of infra) if (!code.includes(name)) problems.push(`${label} '${name}' is declared in infra but unknown to the code`);
}

/** Every disagreement between the code's names (and env reads) and the infra's. */
export function contractProblems(code: CodeNames, infra: InfraNames, envReads: readonly string[] = []): string[] {
  const problems: string[] = [];
  sameSet("table", Object.values(code.TableNames), infra.tables, problems);
  sameSet("container", Object.values(code.ContainerNames), infra.dataContainers, problems);
  for (const container of infra.deploymentContainers) {
    if (!container.startsWith("app-package-")) problems.push(`deployment container '${container}' must start with 'app-package-'`);
  }
  sameSet("topic", Object.values(code.TopicNames), Object.values(infra.topics), problems);
  for (const [key, topic] of Object.entries(code.TopicNames)) {
    if (infra.topics[key] !== undefined && infra.topics[key] !== topic) continue; // already reported as a topic mismatch
    sameSet(`subscription on '${topic}': `, code.SubscriptionNames[key] ?? [], infra.subscriptions[key] ?? [], problems);
  }

  const settings = infra.orchestratorSettings;
  const connectionNames = identityConnectionKeys.map((key) => code.AppSettingNames[key]!);
  const declared = (name: string) =>
    settings.includes(name) || (connectionNames.includes(name) && identityConnectionProperties.some((p) => settings.includes(`${name}__${p}`)));
  const codeSettings = new Set([...Object.values(code.AppSettingNames), ...envReads]);
  for (const name of codeSettings) {
    if (!(name in notDeployedSettings) && !declared(name)) problems.push(`app setting '${name}' is read by the code but not set in infra`);
  }
  const known = (name: string) => {
    if (codeSettings.has(name) || isPlatformSetting(name)) return true;
    const [base, property, ...rest] = name.split("__");
    return rest.length === 0 && connectionNames.includes(base!) && identityConnectionProperties.includes(property ?? "");
  };
  for (const name of settings) {
    if (!known(name)) problems.push(`app setting '${name}' is set in infra but unknown to the code`);
    if (name in notDeployedSettings) problems.push(`app setting '${name}' is set in infra but is ${notDeployedSettings[name]}`);
  }
  return problems;
}

/** Problems between the directive subscriptions and the protocol registry's service → step_type map. */
export function registryProblems(registry: { protocols: { steps: { step_type: string; service?: string }[] }[] }, infra: InfraNames): string[] {
  const problems: string[] = [];
  const served = new Map<string, Set<string>>();
  for (const step of registry.protocols.flatMap((p) => p.steps)) {
    // A REVIEW step has no service: Lucius runs it, nothing is published for it.
    if (step.service === undefined) continue;
    served.set(step.service, (served.get(step.service) ?? new Set()).add(step.step_type));
  }
  for (const [service, stepTypes] of served) {
    const filtered = infra.directiveStepTypes[service];
    if (filtered === undefined) problems.push(`service '${service}' has no subscription on the directives topic`);
    else if (stepTypes.size !== 1 || !stepTypes.has(filtered)) {
      problems.push(`subscription '${service}' filters step_type '${filtered}' but the registry routes ${[...stepTypes].join(", ")} to it`);
    }
  }
  for (const service of Object.keys(infra.directiveStepTypes)) {
    if (!served.has(service)) problems.push(`subscription '${service}' serves no service in the registry`);
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith(".d.ts") ? [path] : [];
  });
}

/** Environment variable names read literally (`process.env.X`, `env.X`, `env["X"]`) in source text. */
export function envReadsIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/process\.env\.([A-Za-z_]\w*)/g)) names.add(match[1]!);
  for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1]!);
  for (const match of text.matchAll(/\benv\[\s*(["'`])([^"'`$]+)\1\s*\]/g)) names.add(match[2]!);
  return [...names];
}

/** Literal env reads in every source file under `dirs`. */
export function envReadsUnder(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of dirs.flatMap(sourceFiles)) for (const name of envReadsIn(readFileSync(file, "utf8"))) names.add(name);
  return [...names].sort();
}
