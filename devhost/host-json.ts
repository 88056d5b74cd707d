import { existsSync, readFileSync } from "node:fs";

/** The parts of host.json devhost honours. */
export interface HostJsonSettings {
  /** `extensions.http.routePrefix`. @default "api" */
  routePrefix: string;
  /** `extensions.durableTask.hubName` with `%SETTING%` resolved; undefined when unset or unresolved. */
  hubName?: string;
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
}

interface HostJson {
  extensions?: {
    http?: { routePrefix?: string };
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number; maxConcurrentOrchestratorFunctions?: number };
  };
}

/** Reads host.json (absent file → defaults), resolving `%NAME%` app-setting references from `env`. */
export function readHostJson(path: string | undefined, env: Record<string, string | undefined>): HostJsonSettings {
  const json: HostJson = path && existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as HostJson) : {};
  const durable = json.extensions?.durableTask ?? {};
  const hubName = durable.hubName?.replace(/%([^%]+)%/g, (_, name: string) => env[name] ?? "");
  return {
    routePrefix: json.extensions?.http?.routePrefix ?? "api",
    ...(hubName ? { hubName } : {}),
    ...(durable.maxConcurrentActivityFunctions ? { maxConcurrentActivityFunctions: durable.maxConcurrentActivityFunctions } : {}),
    ...(durable.maxConcurrentOrchestratorFunctions
      ? { maxConcurrentOrchestratorFunctions: durable.maxConcurrentOrchestratorFunctions }
      : {}),
  };
}
