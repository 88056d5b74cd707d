// One copy of every `@azure/functions*` package, in the orchestrator app and in workers/: the
// Service Bus extension registers its message factory in its own copy of
// `@azure/functions-extensions-base`, and `@azure/functions` looks it up in its own copy, so a second
// copy fails every SDK-bound Service Bus trigger under the real host. Checked on the installed trees
// (npm ls) and by running the library's own invocation model on a `modelBindingData` message.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const probe = join(repo, "test/support/servicebus-factory-probe.cjs");
// The arguments the Node worker is started with; the extension's settlement client reads them.
const workerArgs = ["--host", "127.0.0.1", "--port", "1", "--functions-grpc-max-message-length", "1000"];

interface LsNode {
  version?: string;
  path?: string;
  dependencies?: Record<string, LsNode>;
}

/** Every installed copy of an `@azure/functions*` package under `dir`, as `name → "version at path"`. */
async function functionsPackageCopies(dir: string): Promise<Map<string, Set<string>>> {
  // npm ls exits non-zero on any tree problem (a fixture's missing peers too) but still prints the tree.
  const out = await run("npm", ["ls", "--all", "--json", "--long"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
  const copies = new Map<string, Set<string>>();
  const walk = (node: LsNode) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name.startsWith("@azure/functions") && child.path) {
        const set = copies.get(name) ?? new Set<string>();
        set.add(`${child.version} at ${child.path}`);
        copies.set(name, set);
      }
      walk(child);
    }
  };
  walk(JSON.parse(out.stdout) as LsNode);
  return copies;
}

function duplicates(copies: Map<string, Set<string>>): string[] {
  return [...copies].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].sort().join(", ")}`);
}

async function probeFactory(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: boolean; error?: string; messageId?: string; lockToken?: string; body?: unknown }> {
  const { stdout } = await run(process.execPath, [probe, dir, ...workerArgs], { env });
  return JSON.parse(stdout) as { ok: boolean };
}

const apps = [
  { app: "orchestrator", dir: repo },
  { app: "workers", dir: join(repo, "workers") },
];

describe.each(apps)("the $app app's @azure/functions packages", ({ dir }) => {
  it("are installed once each", async () => {
    const copies = await functionsPackageCopies(dir);
    expect([...copies.keys()].sort()).toEqual([
      "@azure/functions",
      "@azure/functions-extensions-base",
      "@azure/functions-extensions-servicebus",
      // Depends on no @azure/functions* package: it patches the app's own copy when that is required.
      "@azure/functions-opentelemetry-instrumentation",
    ]);
    expect(duplicates(copies)).toEqual([]);
  });

  it("let @azure/functions build a Service Bus message from modelBindingData once the extension is loaded", async () => {
    await expect(probeFactory(dir)).resolves.toEqual({
      ok: true,
      messageId: "probe-1",
      body: { ok: true },
      lockToken: "33221100-5544-7766-8899-aabbccddeeff",
      settles: "function",
    });
  });
});

describe("a second copy of @azure/functions-extensions-base beside the extension", () => {
  const fixture = mkdtempSync(join(tmpdir(), "lucius-two-bases-"));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  // The tree npm built before the pin: the extension with a base copy of its own.
  const modules = join(fixture, "node_modules", "@azure");
  for (const name of ["functions", "functions-extensions-base", "functions-extensions-servicebus"]) {
    cpSync(join(repo, "node_modules", "@azure", name), join(modules, name), { recursive: true });
  }
  const ownBase = join(modules, "functions-extensions-servicebus", "node_modules", "@azure", "functions-extensions-base");
  cpSync(join(modules, "functions-extensions-base"), ownBase, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ownBase, "package.json"), "utf8")) as { version: string };
  writeFileSync(join(ownBase, "package.json"), JSON.stringify({ ...manifest, version: "0.3.0" }));
  writeFileSync(
    join(fixture, "package.json"),
    JSON.stringify({ name: "fixture", version: "1.0.0", dependencies: { "@azure/functions": "*", "@azure/functions-extensions-servicebus": "*" } }),
  );
  // Their other dependencies (rhea, grpc, cookie…) come from the repository's tree.
  const env = { ...process.env, NODE_PATH: join(repo, "node_modules") };

  it("is found by the copy check", async () => {
    expect(duplicates(await functionsPackageCopies(fixture))).toEqual([
      expect.stringMatching(/^@azure\/functions-extensions-base: 0\.2\.0 at .+, 0\.3\.0 at .+functions-extensions-servicebus.+$/),
    ]);
  });

  it("leaves @azure/functions without the message factory, as the real host reports it", async () => {
    const result = await probeFactory(fixture, env);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(
      /^Unable to create client\. Please register the extensions library with your function app\..*"AzureServiceBusReceivedMessage" is not registered/,
    );
  });
});
