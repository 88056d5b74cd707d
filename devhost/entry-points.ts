import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Expands package.json `main` (e.g. `dist/{functions/index.js,functions/*.js}`) into the app's
 * entry files in the order the Node worker loads them. The worker expands `main` with globby 11
 * (fast-glob 3): brace options become separate patterns; patterns without a wildcard come first
 * (each file that exists); then, per base directory in first-seen order, the directory listing as
 * the file system returns it, filtered by that directory's wildcard patterns; each file once.
 * Nothing is sorted: an entry file loads first because `main` names it first, never because of
 * its name. Wildcards are supported in the last path segment only (`*`), which is all the apps use.
 */
export function packageMainFiles(root: string): string[] {
  const manifest = join(root, "package.json");
  if (!existsSync(manifest)) return [];
  const main = (JSON.parse(readFileSync(manifest, "utf8")) as { main?: string }).main;
  if (!main) return [];
  return mainGlobFiles(root, main);
}

/** {@link packageMainFiles} for a given `main` pattern. */
export function mainGlobFiles(root: string, main: string): string[] {
  const patterns = expandBraces(main);
  const files: string[] = [];
  const add = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  for (const pattern of patterns.filter((p) => !p.includes("*"))) {
    if (existsSync(join(root, pattern))) add(join(root, pattern));
  }
  const byDirectory = new Map<string, RegExp[]>();
  for (const pattern of patterns.filter((p) => p.includes("*"))) {
    const slash = pattern.lastIndexOf("/");
    const dir = pattern.slice(0, slash + 1);
    if (dir.includes("*")) throw new Error(`devhost: package.json main "${main}": wildcards are supported in the file name only`);
    byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), wildcard(pattern.slice(slash + 1))]);
  }
  for (const [dir, names] of byDirectory) {
    if (!existsSync(join(root, dir))) continue;
    for (const file of readdirSync(join(root, dir))) if (names.some((name) => name.test(file))) add(join(root, dir, file));
  }
  return files;
}

function expandBraces(pattern: string): string[] {
  const match = /\{([^{}]*)\}/.exec(pattern);
  if (!match) return [pattern];
  return match[1]!.split(",").flatMap((option) => expandBraces(pattern.replace(match[0], option)));
}

function wildcard(name: string): RegExp {
  return new RegExp(
    "^" +
      name
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*") +
      "$",
  );
}
