/**
 * No secret leaves the Bicep: no key-listing functions, no account keys or SAS in any value, no
 * secret-looking output, and local (key) auth off on storage, Service Bus and monitoring.
 */
import { relative } from "node:path";
import { bicepFile } from "./bicep-resolve.js";
import type { BicepModule } from "./bicep-text.js";

/** Text that means a credential is being read or written. */
const forbidden: [RegExp, string][] = [
  [/\blist(Keys|ConnectionStrings|Secrets|AccountSas|ServiceSas|CallbackUrl)?\s*\(/i, "a list*() call (reads keys or secrets)"],
  [/AccountKey\s*=/i, "an account key"],
  [/SharedAccessKey/i, "a shared access key"],
  [/SharedAccessSignature|[?&]sig=/i, "a SAS token"],
  [/\.(outputs|properties)\.\??\w*(Key|Keys|Secret|Password|SasToken)\b/i, "a key or secret property"],
  [/\.(outputs|properties)\.\??\w*ConnectionString\b/i, "a connection string property"],
  [/\ballowSharedKeyAccess\s*:\s*true\b/, "shared key access enabled"],
  [/\bdisableLocalAuth\s*:\s*false\b/, "local auth enabled"],
];

/**
 * The one connection string allowed: Application Insights', an endpoint plus a resource id. With
 * local auth disabled it cannot ingest without the app identity's Entra token.
 */
export const allowedConnectionStringLine = /^\s*APPLICATIONINSIGHTS_CONNECTION_STRING:\s*appInsights\.properties\.ConnectionString\s*$/;

const secretName = /key|secret|password|connectionstring|token|sas/i;

/** Properties that must hold a literal value on every AVM module of a kind. */
const requiredSettings: [string, string, string][] = [
  ["avm/res/storage/storage-account:", "allowSharedKeyAccess", "false"],
  ["avm/res/service-bus/namespace:", "disableLocalAuth", "true"],
  ["avm/res/insights/component:", "disableLocalAuth", "true"],
];

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** Every secret-handling problem in the given .bicep files. */
export function secretProblems(paths: readonly string[], root: string): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    const file = bicepFile(path);
    const where = relative(root, path);
    const lines = file.code.split("\n");
    lines.forEach((line, index) => {
      if (allowedConnectionStringLine.test(line)) return;
      for (const [pattern, what] of forbidden) {
        if (pattern.test(line)) problems.push(`${where}:${index + 1}: ${what}: ${line.trim()}`);
      }
    });
    for (const output of file.outputs.values()) {
      if (secretName.test(output.name) || /@secure\(\)/.test(output.type)) {
        problems.push(`${where}: output '${output.name}' looks like a secret`);
      }
      if (/connectionstring|key\b|keys\b|secret|password/i.test(output.value)) {
        problems.push(`${where}: output '${output.name}' carries a secret-looking value: ${output.value.slice(0, 80)}`);
      }
    }
    for (const resource of file.resources.values()) {
      if (resource.type === "Microsoft.Storage/storageAccounts" && !resource.existing) {
        problems.push(`${where}: storage account '${resource.symbol}' is declared directly; use the storage module (shared keys off)`);
      }
      if (resource.type === "Microsoft.ServiceBus/namespaces" && !resource.existing) {
        problems.push(`${where}: Service Bus namespace '${resource.symbol}' is declared directly; use the service-bus module (local auth off)`);
      }
    }
    for (const module of file.modules.values()) problems.push(...moduleSettingProblems(where, module, file.code));
  }
  return problems;
}

function moduleSettingProblems(where: string, module: BicepModule, code: string): string[] {
  const problems: string[] = [];
  for (const [reference, param, value] of requiredSettings) {
    if (!module.path.includes(reference)) continue;
    const given = module.params.get(param);
    if (given !== value) {
      const at = lineOf(code, code.indexOf(`module ${module.symbol} `));
      problems.push(`${where}:${at}: module '${module.symbol}' must set ${param}: ${value} (got ${given ?? "nothing"})`);
    }
  }
  return problems;
}

/**
 * Settings whose names sound secret but whose values are not: the Application Insights
 * endpoint and identity selector, the scheduler endpoint plus identity (checked separately),
 * a host.json override whose value is the *name* of that setting, and the API key hashes.
 */
export const nonSecretSettings = new Set([
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
  "AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName",
  // SHA-256 hashes of the API keys, never the keys (lib/auth/api-keys.ts).
  "LUCIUS_API_KEYS",
]);

/** App setting names that look like secrets, except the documented ones. */
export function secretSettingProblems(settings: Iterable<string>): string[] {
  const allowed = nonSecretSettings;
  return [...settings].filter((name) => secretName.test(name) && !allowed.has(name)).map((name) => `app setting '${name}' looks like it holds a secret`);
}
