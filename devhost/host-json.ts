import { existsSync, readFileSync } from "node:fs";

/** The parts of host.json devhost honours. */
export interface HostJsonSettings {
  /** `extensions.http.routePrefix`. @default "api" */
  routePrefix: string;
  /** `extensions.durableTask.hubName` with `%SETTING%` resolved; undefined when unset or unresolved. */
  hubName?: string;
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
  /** `extensions.durableTask.defaultVersion`: the version new orchestrations are created with. */
  defaultVersion?: string;
  /** `extensions.serviceBus`, as the Service Bus component's receiver options. */
  serviceBus: { maxConcurrentCalls?: number; autoComplete?: boolean; maxAutoLockRenewalMs?: number };
}

interface HostJson {
  extensions?: {
    http?: { routePrefix?: string };
    serviceBus?: { maxConcurrentCalls?: number; autoCompleteMessages?: boolean; maxAutoLockRenewalDuration?: string };
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number; maxConcurrentOrchestratorFunctions?: number; defaultVersion?: string };
  };
}

/** Reads host.json (absent file → defaults), resolving `%NAME%` app-setting references from `env`. */
export function readHostJson(path: string | undefined, env: Record<string, string | undefined>): HostJsonSettings {
  const json: HostJson = path && existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as HostJson) : {};
  const durable = json.extensions?.durableTask ?? {};
  const hubName = durable.hubName?.replace(/%([^%]+)%/g, (_, name: string) => env[name] ?? "");
  const serviceBus = json.extensions?.serviceBus ?? {};
  const renewal = serviceBus.maxAutoLockRenewalDuration === undefined ? undefined : timeSpanMs(serviceBus.maxAutoLockRenewalDuration);
  return {
    routePrefix: json.extensions?.http?.routePrefix ?? "api",
    serviceBus: {
      ...(serviceBus.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: serviceBus.maxConcurrentCalls } : {}),
      ...(serviceBus.autoCompleteMessages !== undefined ? { autoComplete: serviceBus.autoCompleteMessages } : {}),
      ...(renewal !== undefined ? { maxAutoLockRenewalMs: renewal } : {}),
    },
    ...(hubName ? { hubName } : {}),
    ...(typeof durable.defaultVersion === "string" && durable.defaultVersion !== "" ? { defaultVersion: durable.defaultVersion } : {}),
    ...(durable.maxConcurrentActivityFunctions ? { maxConcurrentActivityFunctions: durable.maxConcurrentActivityFunctions } : {}),
    ...(durable.maxConcurrentOrchestratorFunctions ? { maxConcurrentOrchestratorFunctions: durable.maxConcurrentOrchestratorFunctions } : {}),
  };
}

/** A host.json TimeSpan (`[d.]hh:mm:ss[.fff]`) in milliseconds. */
export function timeSpanMs(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`host.json: "${value}" is not a TimeSpan like 00:05:00`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  return ms + Math.round(Number(`0.${fraction ?? "0"}`) * 1000);
}
