import type { CapturedApp } from "./loader.js";

/**
 * The app setting that disables one function, as on Azure and under Core Tools:
 * the host ignores the events that would trigger it. An HTTP function answers
 * 404, a timer or Service Bus listener is not started, and a disabled
 * orchestrator or activity is still scheduled but never runs: its instances
 * stay Pending (or its tasks open) until a host without the setting takes them.
 */
export function disabledSettingName(functionName: string): string {
  return `AzureWebJobs.${functionName}.Disabled`;
}

/** The names of the app's functions that `env` disables ("true" or "1", any case). */
export function disabledFunctions(app: CapturedApp, env: Record<string, string | undefined>): ReadonlySet<string> {
  const disabled = new Set<string>();
  for (const name of app.functions.keys()) {
    const value = env[disabledSettingName(name)]?.trim().toLowerCase();
    if (value === "true" || value === "1") disabled.add(name);
  }
  return disabled;
}

/** The app as the trigger listeners see it: without its disabled functions. */
export function withoutDisabled(app: CapturedApp, disabled: ReadonlySet<string>): CapturedApp {
  if (disabled.size === 0) return app;
  return { ...app, functions: new Map([...app.functions].filter(([name]) => !disabled.has(name))) };
}
