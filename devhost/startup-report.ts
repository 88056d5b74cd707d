import type { CapturedApp } from "./loader.js";
import type { Router } from "./http/router.js";

/** The start-up summary: every HTTP route and every other function with its trigger. */
export function describeApp(
  app: CapturedApp,
  router: Router,
  url: string,
  taskHub: string,
  resumed: number,
  disabled: ReadonlySet<string> = new Set(),
): string {
  const lines = [`serving ${app.functions.size} function(s) on ${url} (task hub "${taskHub}")`];
  for (const route of router.routes) {
    const methods = route.methods?.join(",") ?? "ALL";
    lines.push(`  http   ${methods.padEnd(16)} ${url}/${route.template.template}  → ${route.fn.name}`);
  }
  const others = [...app.functions.values()].filter((fn) => fn.trigger.binding.type !== "httpTrigger");
  for (const fn of others.sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(`  ${fn.trigger.binding.type.padEnd(22)} ${fn.name}${disabled.has(fn.name) ? "  (disabled)" : ""}`);
  }
  const disabledRoutes = [...disabled].filter((name) => app.functions.get(name)?.trigger.binding.type === "httpTrigger");
  for (const name of disabledRoutes.sort()) lines.push(`  http   (disabled)${" ".repeat(8)} → ${name}`);
  if (resumed > 0) lines.push(`  resumed ${resumed} unfinished orchestration instance(s)`);
  return lines.join("\n");
}
