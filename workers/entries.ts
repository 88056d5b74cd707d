import { join } from "node:path";

/** The workers' entry files, relative to the package root (what `workers/package.json` "main" names, compiled). */
export const workerEntryFiles = ["ocr", "embedding", "sis"].map((name) => `dist/workers/functions/${name}.js`);

/** Absolute paths of the compiled entry files under `root` (the repository), for devhost's `appFiles`. */
export function workerEntryPaths(root: string): string[] {
  return workerEntryFiles.map((file) => join(root, file));
}
