import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { isIgnored, packagedFiles, parseIgnore } from "../support/funcignore.js";

const rules = parseIgnore(readFileSync(join(packageRoot, ".funcignore"), "utf8"));

/** What the orchestrator's package may hold: what runs, and what the remote build rebuilds it from. */
const allowedTop = new Set([
  "functions",
  "orchestrations",
  "lib",
  "contracts",
  "protocols",
  "dist",
  "host.json",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts",
]);
const allowedDist = new Set(["functions", "orchestrations", "lib", "console"]);

describe("the orchestrator's .funcignore", () => {
  it("reads gitignore syntax", () => {
    const sample = parseIgnore("# c\n/workers/\n*.log\n!keep.log\ndocs\na/**/b\n");
    expect(isIgnored(sample, "workers", true)).toBe(true);
    expect(isIgnored(sample, "lib/workers", true)).toBe(false);
    expect(isIgnored(sample, "workers", false)).toBe(false);
    expect(isIgnored(sample, "x/y.log", false)).toBe(true);
    expect(isIgnored(sample, "keep.log", false)).toBe(false);
    expect(isIgnored(sample, "lib/docs", true)).toBe(true);
    expect(isIgnored(sample, "a/b", false)).toBe(true);
    expect(isIgnored(sample, "a/x/y/b", false)).toBe(true);
  });

  it("lists what would be zipped: the app, its contracts and its build inputs, nothing else", () => {
    const files = packagedFiles(packageRoot, rules);
    const outside = files.filter((file) => {
      const [top, second] = file.split("/");
      if (!allowedTop.has(top!)) return true;
      // Of scripts/, only the console bundler, which the remote build's `npm run build` runs.
      if (top === "scripts") return file !== "scripts/build-console.mjs";
      return top === "dist" && !allowedDist.has(second!);
    });
    expect(outside).toEqual([]);
    for (const needed of [
      "host.json",
      "package.json",
      "package-lock.json",
      "tsconfig.build.json",
      "functions/index.ts",
      "lib/paths.ts",
      "scripts/build-console.mjs",
      "lib/console/web/main.tsx",
      "contracts/reply.v1.schema.json",
      "protocols/registry.v1.json",
    ]) {
      expect(files).toContain(needed);
    }
    // The things the issue found zipped.
    for (const prefix of [".git", "test/", "workers/", "docs/", ".devhost/", "bench/", "node_modules/"]) {
      expect(files.filter((file) => file.startsWith(prefix))).toEqual([]);
    }
  });

  it("azure.yaml's orchestrator service is the root project, so this file is the one azd reads", () => {
    expect(readFileSync(join(packageRoot, "azure.yaml"), "utf8")).toMatch(/orchestrator:\s*\n\s*project: \.\n/);
  });
});
