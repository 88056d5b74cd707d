/**
 * A @secure() parameter stays secure all the way down: every module parameter its value reaches
 * (directly, or through variables built from it) must itself be @secure() in a local module, and
 * no output may carry it. A plain module parameter is a deployment input, shown in the Portal's
 * deployment history; a registry module's parameters cannot be checked here, so they count as plain.
 */
import { dirname, join } from "node:path";
import { bicepFile } from "./bicep-resolve.js";
import type { BicepFile } from "./bicep-text.js";

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const references = (expression: string, names: Iterable<string>) => [...names].filter((name) => new RegExp(`(?<![\\w.])${escape(name)}\\b`).test(expression));

/** True when `param <name>` carries @secure() among its decorators. */
export function isSecureParam(file: BicepFile, name: string): boolean {
  const at = file.code.search(new RegExp(`^param\\s+${escape(name)}\\b`, "m"));
  if (at < 0) return false;
  const before = file.code.slice(0, at).split("\n");
  before.pop();
  // Walk up over the decorators directly above the param (a blank line or code ends them).
  for (let i = before.length - 1; i >= 0; i--) {
    const line = before[i]!.trim();
    if (!line.startsWith("@") && !line.startsWith("}") && !line.startsWith("azd") && !line.startsWith("type")) break;
    if (/^@secure\(\)/.test(line)) return true;
  }
  return false;
}

/** Names in the file whose value derives from the given secure params (the params and vars). */
function taintedNames(file: BicepFile, roots: readonly string[]): Set<string> {
  const tainted = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const variable of file.vars.values()) {
      if (!tainted.has(variable.name) && references(variable.value, tainted).length > 0) {
        tainted.add(variable.name);
        grew = true;
      }
    }
  }
  return tainted;
}

/**
 * Every place a secure value leaves its secure path, starting from the @secure() params
 * `roots` of `file` (all of its @secure() params when omitted).
 */
export function securePathProblems(file: BicepFile, roots?: readonly string[], load: (path: string) => BicepFile = bicepFile): string[] {
  const start = roots ?? [...file.params.keys()].filter((name) => isSecureParam(file, name));
  const tainted = taintedNames(file, start);
  const problems: string[] = [];
  const where = file.path.split("/").slice(-2).join("/");
  for (const output of file.outputs.values()) {
    for (const name of references(output.value, tainted)) problems.push(`${where}: output '${output.name}' carries secure '${name}'`);
  }
  for (const module of file.modules.values()) {
    for (const [param, expression] of module.params) {
      const carried = references(expression, tainted);
      if (carried.length === 0) continue;
      if (module.path.includes(":")) {
        problems.push(
          `${where}: module '${module.symbol}' (${module.path}) gets secure ${carried.join(", ")} in '${param}', which cannot be checked as @secure()`,
        );
        continue;
      }
      const target = load(join(dirname(file.path), module.path));
      if (!isSecureParam(target, param)) {
        problems.push(`${where}: module '${module.symbol}' param '${param}' gets secure ${carried.join(", ")} but is not @secure()`);
        continue;
      }
      problems.push(...securePathProblems(target, [param], load));
    }
  }
  return problems;
}
