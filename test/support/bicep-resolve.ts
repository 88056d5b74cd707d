/**
 * Follows Bicep expressions just far enough to answer the infra tests' questions: which keys an
 * app-settings object ends up with, which strings an array of names holds. Understands object
 * and array literals, string literals, `union(...)`, `concat(...)`, `a ? b : c` (both branches
 * count), variables, imported variables and module parameters bound by the caller. Anything
 * else is an error, so a test can never pass on an expression it did not read.
 */
import { dirname, join } from "node:path";
import { arrayItems, BicepReadError, maskText, objectEntries, readBicep, splitTopLevel, stringLiteral, type BicepFile } from "./bicep-text.js";

/** Where an expression is evaluated: its file, and the caller's bindings for the file's params. */
export interface Scope {
  file: BicepFile;
  /** Module parameters given by the caller: name → expression in `parent`'s scope. */
  bindings?: Map<string, string>;
  parent?: Scope;
}

type Resolved = { expression: string; scope: Scope };

const fileCache = new Map<string, BicepFile>();

/** Reads a .bicep file once per test run. */
export function bicepFile(path: string): BicepFile {
  let file = fileCache.get(path);
  if (!file) {
    file = readBicep(path);
    fileCache.set(path, file);
  }
  return file;
}

/** The scope a local module runs in, with the caller's params bound. */
export function moduleScope(caller: Scope, moduleSymbol: string): Scope {
  const module = caller.file.modules.get(moduleSymbol);
  if (!module) throw new BicepReadError(`${caller.file.path}: no module '${moduleSymbol}'`);
  if (module.path.includes(":")) throw new BicepReadError(`${module.path} is a registry module; its text is not local`);
  return { file: bicepFile(join(dirname(caller.file.path), module.path)), bindings: module.params, parent: caller };
}

function topLevelCall(expression: string, fn: string): string[] | undefined {
  const text = expression.trim();
  if (!text.startsWith(`${fn}(`) || !text.endsWith(")")) return undefined;
  const { mask } = maskText(text);
  const open = fn.length;
  let depth = 0;
  for (let i = open; i < mask.length; i++) {
    if ("([{".includes(mask[i]!)) depth += 1;
    else if (")]}".includes(mask[i]!)) depth -= 1;
    if (depth === 0) {
      if (i !== text.length - 1) return undefined;
      break;
    }
  }
  return splitTopLevel(text.slice(open + 1, -1), mask.slice(open + 1, -1), ",");
}

function ternaryBranches(expression: string): [string, string] | undefined {
  const text = expression.trim();
  const { mask } = maskText(text);
  let depth = 0;
  let question = -1;
  for (let i = 0; i < mask.length; i++) {
    const ch = mask[i]!;
    if ("([{".includes(ch)) depth += 1;
    else if (")]}".includes(ch)) depth -= 1;
    else if (depth === 0 && ch === "?" && question < 0 && /\s/.test(mask[i - 1] ?? "") && /\s/.test(mask[i + 1] ?? "")) {
      question = i;
    } else if (depth === 0 && ch === ":" && question >= 0) {
      return [text.slice(question + 1, i).trim(), text.slice(i + 1).trim()];
    }
  }
  return undefined;
}

/** Follows an identifier to the expression it names (var, imported var, or bound param). */
function dereference(name: string, scope: Scope): Resolved | undefined {
  const variable = scope.file.vars.get(name);
  if (variable) return { expression: variable.value, scope };
  for (const imported of scope.file.imports) {
    if (!imported.names.includes(name)) continue;
    const source = bicepFile(join(dirname(scope.file.path), imported.path));
    const exported = source.vars.get(name);
    if (exported?.exported) return { expression: exported.value, scope: { file: source } };
  }
  if (scope.file.params.has(name)) {
    const bound = scope.bindings?.get(name);
    if (bound !== undefined && scope.parent) return { expression: bound, scope: scope.parent };
    const fallback = scope.file.params.get(name)!.defaultValue;
    if (fallback !== undefined) return { expression: fallback, scope };
  }
  return undefined;
}

/** Every key the object expression can have (both branches of a condition count). */
export function objectKeys(expression: string, scope: Scope): Set<string> {
  const text = expression.trim();
  if (text.startsWith("{")) {
    const entries = objectEntries(text);
    if (entries.has("...")) throw new BicepReadError(`spread is not followed: ${text.slice(0, 60)}`);
    return new Set(entries.keys());
  }
  const branches = ternaryBranches(text);
  if (branches) return new Set([...objectKeys(branches[0], scope), ...objectKeys(branches[1], scope)]);
  const args = topLevelCall(text, "union");
  if (args) return new Set(args.flatMap((arg) => [...objectKeys(arg, scope)]));
  if (/^[A-Za-z_]\w*$/.test(text)) {
    const target = dereference(text, scope);
    if (target) return objectKeys(target.expression, target.scope);
  }
  throw new BicepReadError(`${scope.file.path}: cannot follow object expression: ${text.slice(0, 80)}`);
}

/** The value of an object entry, following variables; undefined when the object lacks the key. */
export function objectValue(expression: string, key: string, scope: Scope): Resolved | undefined {
  const text = expression.trim();
  if (text.startsWith("{")) {
    const value = objectEntries(text).get(key);
    return value === undefined ? undefined : { expression: value, scope };
  }
  if (/^[A-Za-z_]\w*$/.test(text)) {
    const target = dereference(text, scope);
    if (target) return objectValue(target.expression, key, target.scope);
  }
  throw new BicepReadError(`${scope.file.path}: cannot follow object expression: ${text.slice(0, 80)}`);
}

/** The string an expression evaluates to, when it is a literal or a variable holding one. */
export function stringValue(expression: string, scope: Scope): string {
  const text = expression.trim();
  const literal = stringLiteral(text);
  if (literal !== undefined) return literal;
  if (/^[A-Za-z_]\w*$/.test(text)) {
    const target = dereference(text, scope);
    if (target) return stringValue(target.expression, target.scope);
  }
  throw new BicepReadError(`${scope.file.path}: not a constant string: ${text.slice(0, 80)}`);
}

/** The items of an array expression (literals, variables, `concat(...)`), each with its scope. */
export function arrayElements(expression: string, scope: Scope): Resolved[] {
  const text = expression.trim();
  if (text.startsWith("[")) return arrayItems(text).map((item) => ({ expression: item, scope }));
  const args = topLevelCall(text, "concat");
  if (args) return args.flatMap((arg) => arrayElements(arg, scope));
  if (/^[A-Za-z_]\w*$/.test(text)) {
    const target = dereference(text, scope);
    if (target) return arrayElements(target.expression, target.scope);
  }
  throw new BicepReadError(`${scope.file.path}: cannot follow array expression: ${text.slice(0, 80)}`);
}

/** The constant strings of an array expression. */
export function stringArray(expression: string, scope: Scope): string[] {
  return arrayElements(expression, scope).map((item) => stringValue(item.expression, item.scope));
}
