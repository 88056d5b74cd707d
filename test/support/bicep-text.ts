/**
 * A small reader for Bicep source text. There is no Bicep compiler in the test environment,
 * so the infra tests read the .bicep files as text: this module finds the top-level
 * statements (param, var, output, module, resource, import, func) and hands out their parts.
 * It understands strings (with `${}` interpolation and ''' blocks), comments and nesting, and
 * throws on anything it cannot place rather than guessing.
 */
import { readFileSync } from "node:fs";

export interface BicepParam {
  name: string;
  type: string;
  /** Text after `=`, if any. */
  defaultValue?: string;
  /** No default and not a nullable (`?`) type: a caller must give it. */
  required: boolean;
}

export interface BicepOutput {
  name: string;
  type: string;
  value: string;
}

export interface BicepVar {
  name: string;
  value: string;
  exported: boolean;
}

export interface BicepModule {
  symbol: string;
  /** The quoted path: a relative file, or a registry reference such as `br/public:...`. */
  path: string;
  /** The module's `{...}` body. */
  body: string;
  /** Entries of `params: {...}` (name → expression text); empty when there is no params block. */
  params: Map<string, string>;
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  body: string;
}

export interface BicepImport {
  names: string[];
  path: string;
}

export interface BicepFile {
  path: string;
  /** Source with comments blanked out (same length and line breaks as the file). */
  code: string;
  params: Map<string, BicepParam>;
  vars: Map<string, BicepVar>;
  outputs: Map<string, BicepOutput>;
  modules: Map<string, BicepModule>;
  resources: Map<string, BicepResource>;
  imports: BicepImport[];
  funcs: string[];
}

/** Thrown when the text does not have the shape the reader expects. */
export class BicepReadError extends Error {
  override readonly name = "BicepReadError";
}

interface Masked {
  /** Comments replaced by spaces. */
  code: string;
  /** `code` with every character inside a string (interpolations included) replaced by `_`. */
  mask: string;
}

type Frame = { kind: "code"; depth: number; interpolation: boolean } | { kind: "string" };

/** Blanks comments, and masks string contents so brackets inside strings never count. */
export function maskText(text: string): Masked {
  const code = text.split("");
  const mask = text.split("");
  const stack: Frame[] = [{ kind: "code", depth: 0, interpolation: false }];
  const inString = () => stack.some((f) => f.kind === "string");
  const blank = (i: number, target: string[]) => {
    if (text[i] !== "\n") target[i] = target === code ? " " : "_";
  };
  let i = 0;
  while (i < text.length) {
    const frame = stack[stack.length - 1]!;
    const ch = text[i]!;
    if (frame.kind === "string") {
      if (ch === "\\") {
        blank(i, mask);
        if (i + 1 < text.length) blank(i + 1, mask);
        i += 2;
      } else if (ch === "$" && text[i + 1] === "{") {
        blank(i, mask);
        blank(i + 1, mask);
        stack.push({ kind: "code", depth: 0, interpolation: true });
        i += 2;
      } else if (ch === "'") {
        stack.pop();
        if (inString()) blank(i, mask);
        i += 1;
      } else {
        blank(i, mask);
        i += 1;
      }
      continue;
    }
    const masking = inString();
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end < 0) throw new BicepReadError(`unterminated ''' string at offset ${i}`);
      for (let j = i + 3; j < end; j++) blank(j, mask);
      if (masking) for (let j = i; j < end + 3; j++) blank(j, mask);
      i = end + 3;
    } else if (ch === "'") {
      if (masking) blank(i, mask);
      stack.push({ kind: "string" });
      i += 1;
    } else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") {
        blank(i, code);
        blank(i, mask);
        i += 1;
      }
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new BicepReadError(`unterminated comment at offset ${i}`);
      for (let j = i; j < end + 2; j++) {
        blank(j, code);
        blank(j, mask);
      }
      i = end + 2;
    } else {
      if (frame.interpolation && ch === "{") frame.depth += 1;
      if (frame.interpolation && ch === "}") {
        if (frame.depth === 0) {
          stack.pop();
          blank(i, mask);
          i += 1;
          continue;
        }
        frame.depth -= 1;
      }
      if (masking) blank(i, mask);
      i += 1;
    }
  }
  if (stack.length !== 1) throw new BicepReadError("unterminated string");
  for (let j = 0; j < text.length; j++) if (code[j] === " " && text[j] !== " ") mask[j] = " ";
  return { code: code.join(""), mask: mask.join("") };
}

const openers: Record<string, string> = { "{": "}", "[": "]", "(": ")" };
const closers = new Set(["}", "]", ")"]);

/** Index of the bracket closing the one at `open` (positions in `mask`). */
export function matchingBracket(mask: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < mask.length; i++) {
    const ch = mask[i]!;
    if (openers[ch]) stack.push(openers[ch]);
    else if (closers.has(ch)) {
      if (stack.pop() !== ch) throw new BicepReadError(`unbalanced '${ch}' at offset ${i}`);
      if (stack.length === 0) return i;
    }
  }
  throw new BicepReadError(`no closing bracket for offset ${open}`);
}

function continues(before: string, after: string): boolean {
  const next = after.trimStart();
  const previous = before.trimEnd();
  return /^(\?\?|\?|:|&&|\|\||\.)/.test(next) || (previous !== "" && /(\?\?|\?|:|&&|\|\||=>|==|!=|\+|-|\*)$/.test(previous) && next !== "");
}

/** Splits `text` at top-level commas and line breaks (used for object and array interiors). */
export function splitTopLevel(text: string, mask: string, separators = ",\n"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < mask.length; i++) {
    const ch = mask[i]!;
    if (openers[ch]) depth += 1;
    else if (closers.has(ch)) depth -= 1;
    else if (depth === 0 && separators.includes(ch)) {
      // A line break inside a multi-line expression (`cond\n ? a\n : b`) does not end the item.
      if (ch === "\n" && continues(mask.slice(start, i), mask.slice(i + 1))) continue;
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function keywordOf(line: string): string | undefined {
  return (
    /^(@|param|var|output|module|resource|import|type|func|targetScope|metadata|using|extension)\b/.exec(line)?.[1] ?? (line.startsWith("@") ? "@" : undefined)
  );
}

/** Top-level statements as [start, end) ranges, with the decorators just above each. */
function statements(m: Masked): { start: number; end: number; decorators: string }[] {
  const starts: number[] = [];
  let depth = 0;
  let lineStart = true;
  for (let i = 0; i < m.mask.length; i++) {
    const ch = m.mask[i]!;
    if (lineStart && depth === 0 && !/\s/.test(ch)) {
      const lineEnd = m.mask.indexOf("\n", i);
      if (keywordOf(m.code.slice(i, lineEnd < 0 ? undefined : lineEnd))) starts.push(i);
    }
    if (openers[ch]) depth += 1;
    else if (closers.has(ch)) depth -= 1;
    if (ch === "\n") lineStart = true;
    else if (!/\s/.test(ch)) lineStart = false;
  }
  if (depth !== 0) throw new BicepReadError("unbalanced brackets at end of file");
  const result: { start: number; end: number; decorators: string }[] = [];
  let decorators = "";
  starts.forEach((start, index) => {
    const end = starts[index + 1] ?? m.code.length;
    if (m.code[start] === "@") {
      decorators += m.code.slice(start, end);
      return;
    }
    result.push({ start, end, decorators });
    decorators = "";
  });
  return result;
}

/** The first `{...}` block of a module/resource right-hand side, skipping `if (...)` and `[for ...:`. */
function bodyOf(code: string, mask: string, from: number): { body: string; bodyMask: string } {
  let parens = 0;
  for (let i = from; i < mask.length; i++) {
    const ch = mask[i];
    if (ch === "(") parens += 1;
    else if (ch === ")") parens -= 1;
    else if (ch === "{" && parens === 0) {
      const end = matchingBracket(mask, i);
      return { body: code.slice(i, end + 1), bodyMask: mask.slice(i, end + 1) };
    }
  }
  throw new BicepReadError(`no body after offset ${from}`);
}

/** Index of the first `=` at bracket depth 0 that is not part of `==`, `!=`, `<=`, `>=` or `=>`. */
function topLevelEquals(mask: string): number {
  let depth = 0;
  for (let i = 0; i < mask.length; i++) {
    const ch = mask[i]!;
    if (openers[ch] || ch === "<") depth += 1;
    else if (closers.has(ch) || ch === ">") depth -= ch === ">" && mask[i - 1] === "=" ? 0 : 1;
    else if (ch === "=" && depth === 0 && !"=!<>".includes(mask[i - 1] ?? "") && !"=>".includes(mask[i + 1] ?? "")) {
      return i;
    }
  }
  return -1;
}

/** The entries of an object literal `{...}`: key → value text. Spreads get the key `...`. */
export function objectEntries(literal: string): Map<string, string> {
  const text = literal.trim();
  if (!text.startsWith("{") || !text.endsWith("}")) throw new BicepReadError(`not an object literal: ${text.slice(0, 60)}`);
  const { mask } = maskText(text);
  const inner = text.slice(1, -1);
  const entries = new Map<string, string>();
  for (const part of splitTopLevel(inner, mask.slice(1, -1))) {
    if (part.startsWith("...")) {
      entries.set("...", part.slice(3).trim());
      continue;
    }
    const match = /^('(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$]*)\s*:\s*/.exec(part);
    if (!match) throw new BicepReadError(`cannot read object entry: ${part.slice(0, 60)}`);
    const key = match[1]!.startsWith("'") ? match[1]!.slice(1, -1).replace(/\\(.)/g, "$1") : match[1]!;
    entries.set(key, part.slice(match[0].length).trim());
  }
  return entries;
}

/** The items of an array literal `[...]`. */
export function arrayItems(literal: string): string[] {
  const text = literal.trim();
  if (!text.startsWith("[") || !text.endsWith("]")) throw new BicepReadError(`not an array literal: ${text.slice(0, 60)}`);
  const { mask } = maskText(text);
  return splitTopLevel(text.slice(1, -1), mask.slice(1, -1));
}

/** The value of a plain string literal (no interpolation), or undefined. */
export function stringLiteral(expression: string): string | undefined {
  const match = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(expression.trim());
  return match ? match[1]!.replace(/\\(.)/g, "$1") : undefined;
}

/** Parses Bicep source text. */
export function parseBicep(text: string, path = "<text>"): BicepFile {
  const m = maskText(text);
  const file: BicepFile = {
    path,
    code: m.code,
    params: new Map(),
    vars: new Map(),
    outputs: new Map(),
    modules: new Map(),
    resources: new Map(),
    imports: [],
    funcs: [],
  };
  for (const { start, end, decorators } of statements(m)) {
    const code = m.code.slice(start, end).trimEnd();
    const mask = m.mask.slice(start, start + code.length);
    const keyword = keywordOf(code)!;
    const head = /^\w+\s+([A-Za-z_]\w*)\s*/.exec(code);
    switch (keyword) {
      case "param": {
        const eq = topLevelEquals(mask);
        const type = code.slice(head![0].length, eq < 0 ? undefined : eq).trim();
        const defaultValue = eq < 0 ? undefined : code.slice(eq + 1).trim();
        file.params.set(head![1]!, {
          name: head![1]!,
          type,
          ...(defaultValue !== undefined ? { defaultValue } : {}),
          required: defaultValue === undefined && !type.endsWith("?"),
        });
        break;
      }
      case "var": {
        const eq = topLevelEquals(mask);
        file.vars.set(head![1]!, { name: head![1]!, value: code.slice(eq + 1).trim(), exported: /@export\(\)/.test(decorators) });
        break;
      }
      case "output": {
        const eq = topLevelEquals(mask);
        if (eq < 0) throw new BicepReadError(`${path}: output ${head![1]} has no value`);
        file.outputs.set(head![1]!, { name: head![1]!, type: code.slice(head![0].length, eq).trim(), value: code.slice(eq + 1).trim() });
        break;
      }
      case "module": {
        const match = /^module\s+(\w+)\s+'([^']+)'\s*=/.exec(code);
        if (!match) throw new BicepReadError(`${path}: cannot read module statement: ${code.slice(0, 80)}`);
        const { body } = bodyOf(code, mask, match[0].length);
        const entries = objectEntries(body);
        const params = entries.has("params") ? objectEntries(entries.get("params")!) : new Map<string, string>();
        file.modules.set(match[1]!, { symbol: match[1]!, path: match[2]!, body, params });
        break;
      }
      case "resource": {
        const match = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing\s*)?=/.exec(code);
        if (!match) throw new BicepReadError(`${path}: cannot read resource statement: ${code.slice(0, 80)}`);
        const { body } = bodyOf(code, mask, match[0].length);
        file.resources.set(match[1]!, {
          symbol: match[1]!,
          type: match[2]!,
          apiVersion: match[3]!,
          existing: match[4] !== undefined,
          body,
        });
        break;
      }
      case "import": {
        const match = /^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+)\s+from\s+'([^']+)'/.exec(code);
        if (!match) throw new BicepReadError(`${path}: cannot read import: ${code.slice(0, 80)}`);
        const names = (match[1] ?? "")
          .split(",")
          .map((n) => n.trim())
          .filter((n) => n !== "");
        file.imports.push({ names, path: match[2]! });
        break;
      }
      case "func":
        file.funcs.push(head![1]!);
        break;
      default:
        break;
    }
  }
  return file;
}

/** Reads and parses one .bicep file. */
export function readBicep(path: string): BicepFile {
  return parseBicep(readFileSync(path, "utf8"), path);
}
