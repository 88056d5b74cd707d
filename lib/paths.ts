import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest folder above `start` that holds both `contracts/` and `protocols/`: the repository
 * (from `lib/` and `dist/lib/`), or a deployment folder that ships them beside its code (the
 * workers' `dist/`, see workers/scripts/build.mjs), whatever its package.json is named.
 */
function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (isDirectory(join(dir, "contracts")) && isDirectory(join(dir, "protocols"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no folder with contracts/ and protocols/ found above ${start}`);
    dir = parent;
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The package root, the same from `lib/` (tests) and `dist/lib/` (compiled app). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const contractsDir = join(packageRoot, "contracts");
export const protocolsDir = join(packageRoot, "protocols");

/** The version in the package root's package.json, for the OpenAPI document and telemetry. */
export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
