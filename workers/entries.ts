import { existsSync } from "node:fs";
import { join } from "node:path";

/** The workers' compiled entry files, relative to the repository root (what `npm run build` emits), in workers/package.json `main` order. */
export const workerEntryFiles = ["index", "ocr", "embedding", "sis"].map((name) => `dist/workers/functions/${name}.js`);

/** Absolute paths of the compiled worker entry files under `root`. */
export function workerEntryPaths(root: string): string[] {
  return workerEntryFiles.map((file) => join(root, file));
}

/**
 * `appFiles` plus the compiled worker entry files that exist under `root` and are not listed
 * yet: how devhost runs the reference workers beside the orchestrator.
 */
export function withWorkerEntries(appFiles: readonly string[], root: string): string[] {
  const listed = new Set(appFiles);
  return [...appFiles, ...workerEntryPaths(root).filter((file) => existsSync(file) && !listed.has(file))];
}
