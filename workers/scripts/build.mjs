// Builds the workers' self-contained deployment folder, workers/dist:
//   1. compiles the repository (tsc -p tsconfig.build.json → <repo>/dist),
//   2. copies the worker entry files and every module they import, transitively, keeping the
//      repository layout (dist/workers/…, dist/lib/…), so relative imports still resolve,
//   3. copies contracts/ and protocols/ (loaded at start-up; lib/paths.ts takes the folder that
//      holds both for the package root) and writes dist/package.json from the workers' own
//      manifest (its name and version, for telemetry; `type: module` for the compiled files),
//   4. fails if the code imports a package that workers/package.json does not declare.
// Outside the repository (a remote build of the uploaded package) there is nothing to compile:
// the script only checks that dist/ was built before upload.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const workersDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(workersDir, "..");
const out = join(workersDir, "dist");
const entries = ["index", "ocr", "embedding", "sis"].map((name) => join("workers", "functions", `${name}.js`));

if (!existsSync(join(repo, "tsconfig.build.json")) || !existsSync(join(repo, "lib"))) {
  const missing = entries.filter((entry) => !existsSync(join(out, entry)));
  if (missing.length > 0) {
    console.error(`workers: dist/ is incomplete (${missing.join(", ")}); build it in the repository before deploying`);
    process.exit(1);
  }
  console.log("workers: using the prebuilt dist/");
  process.exit(0);
}

let tsc;
try {
  tsc = createRequire(join(repo, "package.json")).resolve("typescript/bin/tsc");
} catch {
  console.error("workers: TypeScript is not installed in the repository; run `npm ci` at the repository root first");
  process.exit(1);
}
execFileSync(process.execPath, [tsc, "-p", join(repo, "tsconfig.build.json")], { cwd: repo, stdio: "inherit" });

const compiled = join(repo, "dist");
const specifier = /(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const packages = new Set();
const files = new Set();
const queue = [...entries];
while (queue.length > 0) {
  const file = queue.pop();
  if (files.has(file)) continue;
  const source = join(compiled, file);
  if (!existsSync(source)) throw new Error(`workers: ${file} is missing from the compiled output`);
  files.add(file);
  for (const match of readFileSync(source, "utf8").matchAll(specifier)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec.startsWith(".")) queue.push(relative(compiled, resolve(dirname(source), spec)));
    else if (!builtins.has(spec)) packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
  }
}

const manifest = JSON.parse(readFileSync(join(workersDir, "package.json"), "utf8"));
const undeclared = [...packages].filter((name) => !(name in (manifest.dependencies ?? {})));
if (undeclared.length > 0) {
  console.error(`workers: the code imports packages workers/package.json does not declare: ${undeclared.join(", ")}`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
for (const file of files) {
  mkdirSync(dirname(join(out, file)), { recursive: true });
  cpSync(join(compiled, file), join(out, file));
}
for (const folder of ["contracts", "protocols"]) cpSync(join(repo, folder), join(out, folder), { recursive: true });
writeFileSync(join(out, "package.json"), JSON.stringify({ name: manifest.name, version: manifest.version, private: true, type: "module" }, null, 2) + "\n");
const count = readdirSync(out, { recursive: true }).length;
console.log(`workers: dist/ holds ${files.size} modules from ${[...packages].sort().join(", ")} (${count} entries)`);
