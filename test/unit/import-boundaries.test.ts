import { join } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";

// The repository's own eslint.config.js, run on snippets placed (in memory) at the paths named, so
// the boundary rule cannot stop reporting without this failing. Only the rule's reports count.
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: packageRoot });
});

async function boundaryReports(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(packageRoot, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "lucius/import-boundaries").map((m) => m.message);
}

describe("lucius/import-boundaries", () => {
  it.each([
    ["functions", "../functions/index.js"],
    ["orchestrations", "../orchestrations/job-orchestrator.js"],
    ["workers", "../workers/ocr/output.js"],
    ["devhost", "../devhost/host.js"],
    ["cli", "../cli/main.js"],
  ])("reports lib/ importing %s/", async (_folder, specifier) => {
    const reports = await boundaryReports("lib/probe.ts", `import { x } from "${specifier}";\nexport { x };\n`);
    expect(reports).toEqual([`lib/probe.ts may not import ${specifier}: lib/ is shared by both apps and the CLI, and depends on none of them`]);
  });

  it("reports every form of import in lib/: type-only, export-from, import() and import types", async () => {
    const code = [
      `import type { A } from "../../workers/sis/analyze.js";`,
      `export * from "../../functions/index.js";`,
      `export type B = import("../../workers/ocr/output.js").OcrJson;`,
      "export const c = await import(`../../cli/main.js`);",
      `export type { A };`,
    ].join("\n");
    expect(await boundaryReports("lib/api/probe.ts", code)).toHaveLength(4);
  });

  it("reports workers/ importing functions/, and lib/ other than lib/worker-kit.ts", async () => {
    const code = [
      `import { startAzureMonitor } from "../../functions/index.js";`,
      `import { RefStore } from "../../lib/refs/index.js";`,
      `import { TopicNames } from "../../lib/worker-kit.js";`,
      `export { RefStore, startAzureMonitor, TopicNames };`,
    ].join("\n");
    const reports = await boundaryReports("workers/ocr/probe.ts", code);
    expect(reports).toEqual([
      "workers/ocr/probe.ts may not import ../../functions/index.js: the workers app is deployed on its own, without the orchestrator app or the CLI",
      "workers/ocr/probe.ts may not import ../../lib/refs/index.js: the workers take from lib/ only what lib/worker-kit.ts exports (their deployment closure)",
    ]);
  });

  it.each(["functions/probe.ts", "orchestrations/probe.ts", "workers/runtime/probe.ts", "cli/probe.ts"])("reports %s importing devhost/", async (path) => {
    const specifier = path.startsWith("workers/") ? "../../devhost/state-files.js" : "../devhost/state-files.js";
    const reports = await boundaryReports(path, `export const read = async () => (await import("${specifier}")).readDevhostKey;\n`);
    expect(reports).toEqual([`${path} may not import ${specifier}: production code never imports devhost/ (only devhost/, bench/ and test/ may)`]);
  });

  it.each(["devhost/probe.ts", "bench/probe.ts", "test/unit/probe.ts"])("lets %s import devhost/", async (path) => {
    const specifier = path.startsWith("test/") ? "../../devhost/host.js" : "../devhost/host.js";
    expect(await boundaryReports(path, `import { startDevHost } from "${specifier}";\nexport { startDevHost };\n`)).toEqual([]);
  });
});
