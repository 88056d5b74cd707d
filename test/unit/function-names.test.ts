import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { packageRoot } from "../../lib/paths.js";

/*
 * One name per concept: a function's handler is exported under the name the function is registered
 * with, so the name in the portal, the logs and the start-up list is the name in the code. The
 * trigger files are loaded with `app` replaced by a recorder that keeps each registration's name
 * and handler (and registers nothing), and each handler must be the file's export of that name.
 */
interface Registration {
  name: string;
  handler: unknown;
}
const registered = vi.hoisted(() => [] as Registration[]);

vi.mock("@azure/functions", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@azure/functions")>()),
  app: recorder(registered),
}));
vi.mock("durable-functions", async (importOriginal) => ({
  ...(await importOriginal<typeof import("durable-functions")>()),
  app: recorder(registered),
}));

/** `app.<trigger>(name, options)` (or, for an orchestration, `(name, handler)`) for every trigger kind. */
function recorder(into: Registration[]): unknown {
  return new Proxy(
    {},
    {
      get: () => (name: string, options: unknown) => {
        into.push({ name, handler: typeof options === "function" ? options : (options as { handler?: unknown } | undefined)?.handler });
      },
    },
  );
}

/**
 * Handlers not exported under their function's name, and why. `console`: an export of that name
 * would shadow the global in its module, and "console" is the deployed function's name.
 */
const namedOtherwise: Record<string, string> = { console: "serveConsole" };

// index.ts is the app's entry file and _*.ts its helpers: they register nothing.
const triggerFiles = readdirSync(join(packageRoot, "functions"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.startsWith("_"))
  .sort();

async function registrationsOf(path: string): Promise<{ exports: Record<string, unknown>; registrations: Registration[] }> {
  const before = registered.length;
  const exports = (await import(path)) as Record<string, unknown>;
  return { exports, registrations: registered.slice(before) };
}

describe("function names", () => {
  // Two trigger files read their settings at load, as at start-up: the sample settings are enough (nothing connects then).
  beforeAll(() => {
    const sample = JSON.parse(readFileSync(join(packageRoot, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
    for (const [name, value] of Object.entries(sample.Values)) vi.stubEnv(name, value);
  });

  it.each(triggerFiles)("functions/%s exports each handler under the name it registers it with", async (file) => {
    const { exports, registrations } = await registrationsOf(`../../functions/${file.replace(/\.ts$/, ".js")}`);
    expect(registrations.length, `functions/${file} registers no function`).toBeGreaterThan(0);
    for (const { name, handler } of registrations) {
      const exportName = namedOtherwise[name] ?? name;
      expect(typeof handler, `"${name}" has a handler`).toBe("function");
      expect(exports[exportName] === handler, `functions/${file} registers "${name}" with a handler that is not its export "${exportName}"`).toBe(true);
    }
  });

  it("registers the orchestration under its handler's name, and each activity under the name of the function it runs", async () => {
    const { exports, registrations } = await registrationsOf("../../orchestrations/job-orchestrator.js");
    const { activityNames, jobActivities } = await import("../../lib/orchestration/activity-calls.js");
    const { OrchestratorNames } = await import("../../lib/orchestration/names.js");
    const activities = registrations.filter((r) => r.name !== OrchestratorNames.job);
    expect(registrations.find((r) => r.name === OrchestratorNames.job)?.handler).toBe(exports[OrchestratorNames.job]);
    expect(activities.map((r) => r.name)).toEqual([...activityNames]);
    for (const name of activityNames) expect(jobActivities[name].name).toBe(name);
  });

  // Runs after the files are loaded: an exception for a function that is gone or renamed must not linger.
  it("makes exceptions only for functions that are registered", () => {
    for (const name of Object.keys(namedOtherwise)) expect(registered.map((r) => r.name)).toContain(name);
  });
});
