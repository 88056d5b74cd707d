/**
 * Azure Functions (ASP.NET-style) route templates: literal segments,
 * `{name}`, `{name?}`, `{name=default}`, inline constraints such as `{id:int}`,
 * `{id:guid}`, `{n:min(1)}`, `{code:regex(^[a-z]+$)}`, catch-all `{*rest}`, and
 * segments mixing text and parameters (`{name}.{ext}`). Literals match without
 * regard to case.
 */

interface Constraint {
  name: string;
  args: string[];
}

interface Parameter {
  name: string;
  optional: boolean;
  defaultValue?: string;
  catchAll: boolean;
  constraints: Constraint[];
}

type Segment = { kind: "literal"; text: string } | { kind: "parameter"; parameter: Parameter } | { kind: "complex"; pattern: RegExp; parameters: Parameter[] };

export class RouteTemplateError extends Error {
  override readonly name = "RouteTemplateError";
}

export class RouteTemplate {
  readonly segments: Segment[];
  /** Per-segment ranks; lower sorts first (literal 0 … catch-all 5). */
  readonly precedence: number[];

  constructor(readonly template: string) {
    const trimmed = template.replace(/^\/+|\/+$/g, "");
    this.segments = trimmed === "" ? [] : trimmed.split("/").map((text) => parseSegment(text, template));
    this.precedence = this.segments.map(rank);
    const catchAll = this.segments.findIndex((s) => s.kind === "parameter" && s.parameter.catchAll);
    if (catchAll >= 0 && catchAll !== this.segments.length - 1) {
      throw new RouteTemplateError(`Route "${template}": a catch-all parameter must be the last segment`);
    }
  }

  /** The route values when `pathSegments` (decoded) match, else undefined. */
  match(pathSegments: string[]): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const value = pathSegments[i];
      if (segment.kind === "literal") {
        if (value === undefined || value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
      } else if (segment.kind === "parameter") {
        const parameter = segment.parameter;
        if (parameter.catchAll) {
          const rest = pathSegments.slice(i).join("/");
          if (rest !== "" && !satisfies(parameter, rest)) return undefined;
          if (rest !== "") values[parameter.name] = rest;
          else if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
          return values;
        }
        if (value === undefined) {
          if (!this.restIsOptional(i)) return undefined;
          this.fillDefaults(i, values);
          return values;
        }
        if (!satisfies(parameter, value)) return undefined;
        values[parameter.name] = value;
      } else {
        if (value === undefined) return undefined;
        const found = segment.pattern.exec(value);
        if (!found) return undefined;
        for (let p = 0; p < segment.parameters.length; p++) {
          const parameter = segment.parameters[p]!;
          const captured = found[p + 1] ?? "";
          if (!satisfies(parameter, captured)) return undefined;
          values[parameter.name] = captured;
        }
      }
    }
    return pathSegments.length > this.segments.length ? undefined : values;
  }

  private restIsOptional(from: number): boolean {
    return this.segments
      .slice(from)
      .every((s) => s.kind === "parameter" && (s.parameter.optional || s.parameter.catchAll || s.parameter.defaultValue !== undefined));
  }

  private fillDefaults(from: number, values: Record<string, string>): void {
    for (const s of this.segments.slice(from)) {
      if (s.kind === "parameter" && s.parameter.defaultValue !== undefined) values[s.parameter.name] = s.parameter.defaultValue;
    }
  }
}

/** Orders templates so that more specific ones are tried first (a literal beats a parameter). */
export function compareTemplates(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const ra = a.precedence[i] ?? 6;
    const rb = b.precedence[i] ?? 6;
    if (ra !== rb) return ra - rb;
  }
  return a.template.localeCompare(b.template);
}

function rank(segment: Segment): number {
  if (segment.kind === "literal") return 0;
  if (segment.kind === "complex") return 1;
  const p = segment.parameter;
  if (p.catchAll) return 5;
  if (p.optional || p.defaultValue !== undefined) return 4;
  return p.constraints.length > 0 ? 2 : 3;
}

function parseSegment(text: string, template: string): Segment {
  if (!text.includes("{")) {
    if (text.includes("}")) throw new RouteTemplateError(`Route "${template}": unbalanced "}" in "${text}"`);
    return { kind: "literal", text };
  }
  const parts = splitParts(text, template);
  if (parts.length === 1 && typeof parts[0] !== "string") return { kind: "parameter", parameter: parts[0]! };
  const parameters: Parameter[] = [];
  let source = "^";
  for (const part of parts) {
    if (typeof part === "string") source += escapeRegExp(part);
    else {
      if (part.catchAll || part.optional) {
        throw new RouteTemplateError(`Route "${template}": "${text}" mixes text with an optional or catch-all parameter`);
      }
      parameters.push(part);
      source += "(.+?)";
    }
  }
  return { kind: "complex", pattern: new RegExp(source + "$", "i"), parameters };
}

function splitParts(text: string, template: string): Array<string | Parameter> {
  const parts: Array<string | Parameter> = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = findClose(text, open);
    if (close < 0) throw new RouteTemplateError(`Route "${template}": unbalanced "{" in "${text}"`);
    parts.push(parseParameter(text.slice(open + 1, close), template));
    i = close + 1;
  }
  return parts;
}

function findClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "}" && depth === 0) return i;
  }
  return -1;
}

function parseParameter(body: string, template: string): Parameter {
  let rest = body;
  const catchAll = rest.startsWith("*");
  if (catchAll) rest = rest.replace(/^\*+/, "");
  const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (!nameMatch) throw new RouteTemplateError(`Route "${template}": bad parameter "{${body}}"`);
  const name = nameMatch[0];
  rest = rest.slice(name.length);
  const constraints: Constraint[] = [];
  while (rest.startsWith(":")) {
    const constraintMatch = /^:([A-Za-z]+)/.exec(rest);
    if (!constraintMatch) throw new RouteTemplateError(`Route "${template}": bad constraint in "{${body}}"`);
    rest = rest.slice(constraintMatch[0].length);
    let args: string[] = [];
    if (rest.startsWith("(")) {
      const end = matchingParen(rest);
      if (end < 0) throw new RouteTemplateError(`Route "${template}": unbalanced "(" in "{${body}}"`);
      const inner = rest.slice(1, end);
      args = constraintMatch[1]!.toLowerCase() === "regex" ? [inner] : inner.split(",").map((a) => a.trim());
      rest = rest.slice(end + 1);
    }
    constraints.push({ name: constraintMatch[1]!.toLowerCase(), args });
  }
  let optional = false;
  let defaultValue: string | undefined;
  if (rest.startsWith("?")) {
    optional = true;
    rest = rest.slice(1);
  } else if (rest.startsWith("=")) {
    defaultValue = rest.slice(1);
    rest = "";
  }
  if (rest !== "") throw new RouteTemplateError(`Route "${template}": unexpected "${rest}" in "{${body}}"`);
  for (const c of constraints)
    if (!(c.name in checks)) {
      throw new RouteTemplateError(`Route "${template}": unknown constraint "${c.name}"`);
    }
  return { name, optional, catchAll, constraints, ...(defaultValue !== undefined ? { defaultValue } : {}) };
}

function matchingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

const integer = /^-?\d+$/;
const number = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const checks: Record<string, (value: string, args: string[]) => boolean> = {
  int: (v) => integer.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: (v) => integer.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^(\{)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}(\})?$/i.test(v),
  alpha: (v) => /^[A-Za-z]+$/.test(v),
  double: (v) => number.test(v),
  float: (v) => number.test(v),
  decimal: (v) => number.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  min: (v, [a]) => integer.test(v) && Number(v) >= Number(a),
  max: (v, [a]) => integer.test(v) && Number(v) <= Number(a),
  range: (v, [a, b]) => integer.test(v) && Number(v) >= Number(a) && Number(v) <= Number(b),
  length: (v, [a, b]) => (b === undefined ? v.length === Number(a) : v.length >= Number(a) && v.length <= Number(b)),
  minlength: (v, [a]) => v.length >= Number(a),
  maxlength: (v, [a]) => v.length <= Number(a),
  regex: (v, [pattern]) => new RegExp(pattern!, "i").test(v),
  required: (v) => v !== "",
};

function satisfies(parameter: Parameter, value: string): boolean {
  return parameter.constraints.every((c) => checks[c.name]!(value, c.args));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
