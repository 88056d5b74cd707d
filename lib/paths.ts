import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "lucius") {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`lucius package.json not found above ${start}`);
    dir = parent;
  }
}

/** The package root, the same from `lib/` (tests) and `dist/lib/` (compiled app). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const contractsDir = join(packageRoot, "contracts");
export const protocolsDir = join(packageRoot, "protocols");

/** The package's version, for the OpenAPI document and telemetry. */
export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
