import type { ErrorObject } from "ajv";
import { childPointer, type ValidationIssue } from "./validation.js";

type Schema = Record<string, unknown>;

/**
 * Caps the issues returned for one document: a body with thousands of unknown keys must not
 * produce a response thousands of lines long.
 * @default 50
 */
export const maxIssues = 50;

/** Long keys and values are echoed in messages only up to this many characters. */
const maxEcho = 64;

function echo(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text.length > maxEcho ? `${text.slice(0, maxEcho)}…` : text);
}

const typeNames: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  array: "an array",
  object: "an object",
  null: "null",
};

function typeName(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => typeNames[String(t)] ?? String(t)).join(" or ");
}

/** "a URI string", "an object with uri", … — for a branch of an anyOf the input matched no type of. */
function describeBranch(schema: Schema | undefined): string {
  if (!schema) return "a value of another type";
  if (schema.type === "string" && schema.format === "uri") return "a URI string";
  const required = schema.required;
  if (schema.type === "object" && Array.isArray(required) && required.length > 0) {
    return `an object with ${required.join(", ")}`;
  }
  return typeName(schema.type);
}

/** "mode is BURST" for `if: { required: ["mode"], properties: { mode: { const: "BURST" } } }`. */
function describeCondition(ifSchema: unknown): string | undefined {
  if (typeof ifSchema !== "object" || ifSchema === null) return undefined;
  const { required, properties } = ifSchema as { required?: unknown; properties?: Record<string, Schema> };
  if (!Array.isArray(required) || required.length === 0) return undefined;
  return required
    .map((key: string) => {
      const constant = properties?.[key]?.const;
      return constant === undefined ? `${key} is given` : `${key} is ${typeof constant === "string" ? constant : JSON.stringify(constant)}`;
    })
    .join(" and ");
}

/** The `const` values of the discriminator property across a root schema's `oneOf` branches. */
function discriminatorValues(rootSchema: Schema | undefined, tag: string): string[] {
  const branches = rootSchema?.oneOf;
  if (!Array.isArray(branches)) return [];
  return branches.flatMap((branch: Schema) => {
    let target: unknown = branch;
    const ref = branch.$ref;
    if (typeof ref === "string" && ref.startsWith("#/")) {
      target = ref
        .slice(2)
        .split("/")
        .reduce<unknown>((node, key) => (node as Schema | undefined)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], rootSchema);
    }
    const constant = ((target as Schema | undefined)?.properties as Record<string, Schema> | undefined)?.[tag]?.const;
    return typeof constant === "string" ? [constant] : [];
  });
}

function withCondition(message: string, condition: string | undefined): string {
  return condition ? `${message} when ${condition}` : message;
}

function limitMessage(e: ErrorObject): string {
  const limit = (e.params as { limit: number }).limit;
  switch (e.keyword) {
    case "minLength":
      return limit === 1 ? "must not be empty" : `must be at least ${limit} characters long`;
    case "maxLength":
      return `must be at most ${limit} characters long`;
    case "minItems":
      return `must have at least ${limit} item${limit === 1 ? "" : "s"}`;
    case "maxItems":
      return `must have at most ${limit} items`;
    case "minProperties":
      return `must have at least ${limit} propert${limit === 1 ? "y" : "ies"}`;
    case "maxProperties":
      return `must have at most ${limit} properties`;
    case "minimum":
      return `must be ≥ ${limit}`;
    case "maximum":
      return `must be ≤ ${limit}`;
    case "exclusiveMinimum":
      return `must be > ${limit}`;
    default:
      return `must be < ${limit}`;
  }
}

const formatNames: Record<string, string> = {
  uri: "an absolute URI (with a scheme)",
  "date-time": "an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z)",
  uuid: "a UUID",
};

/** Turns one (already de-noised) ajv error into an issue with a pointer into the document. */
function toIssue(e: ErrorObject, base: string, condition: string | undefined): ValidationIssue {
  const at = base + e.instancePath;
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as Schema | undefined;
  switch (e.keyword) {
    case "required": {
      const name = String(params.missingProperty);
      return { pointer: childPointer(at, name), message: withCondition(`${name} is required`, condition) };
    }
    case "additionalProperties":
      return { pointer: childPointer(at, String(params.additionalProperty)), message: `unknown property ${echo(params.additionalProperty)}` };
    case "propertyNames":
      return {
        pointer: childPointer(at, String(params.propertyName)),
        message: withCondition(`property ${echo(params.propertyName)} is not allowed here`, condition),
      };
    case "type":
      return { pointer: at, message: `must be ${typeName(params.type)}` };
    case "const":
      return { pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case "enum":
      return { pointer: at, message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => String(v)).join(", ")}` };
    case "format":
      return { pointer: at, message: `must be ${formatNames[String(params.format)] ?? `a valid ${String(params.format)}`}` };
    case "pattern":
      return {
        pointer: at,
        message: typeof parent?.description === "string" ? `must match the expected format: ${parent.description}` : (e.message ?? "has an invalid format"),
      };
    case "uniqueItems":
      return { pointer: at, message: `must not contain duplicates (items ${String(params.j)} and ${String(params.i)} are equal)` };
    case "discriminator": {
      const tag = String(params.tag);
      if (params.error === "tag" && (e.data as Schema | undefined)?.[tag] === undefined) {
        return { pointer: childPointer(at, tag), message: `${tag} is required` };
      }
      const values = discriminatorValues(parent, tag);
      return {
        pointer: childPointer(at, tag),
        message: values.length > 0 ? `must be one of: ${values.join(", ")}` : (e.message ?? `${tag} is invalid`),
      };
    }
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "minProperties":
    case "maxProperties":
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { pointer: at, message: limitMessage(e) };
    default:
      return { pointer: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

const isUnder = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`);

/**
 * Maps ajv errors (from a validator compiled with `allErrors` and `verbose`) to issues whose
 * pointers are `base` + the instance path, removing the noise of composite keywords:
 * - `anyOf`/`oneOf`: branches whose `type` the value does not have are dropped; if no branch
 *   had the right type, one issue lists what the value may be ("must be a URI string or an object with uri").
 * - `if`/`then`: the bare "must match then" is dropped and the `then` errors say "when <condition>".
 * - `propertyNames`: the inner error is folded into one issue at the offending property.
 * Identical issues are reported once; at most {@link maxIssues} are returned.
 */
export function issuesFromAjv(errors: readonly ErrorObject[] | null | undefined, base = ""): ValidationIssue[] {
  const list = errors ?? [];
  const dropped = new Set<number>();
  const conditions = new Map<number, string>();
  const replaced = new Map<number, ValidationIssue>();

  list.forEach((e, i) => {
    if (e.schemaPath.includes("/propertyNames/")) dropped.add(i);
    if (e.keyword === "if") {
      dropped.add(i);
      const condition = describeCondition((e.parentSchema as Schema | undefined)?.if);
      const thenPath = e.schemaPath.replace(/\/if$/, "/then/");
      for (let j = i - 1; j >= 0; j--) {
        const prior = list[j]!;
        if (condition && prior.schemaPath.startsWith(thenPath) && isUnder(prior.instancePath, e.instancePath)) {
          conditions.set(j, condition);
        }
      }
    }
    if (e.keyword === "anyOf" || e.keyword === "oneOf") {
      dropped.add(i);
      const block: number[] = [];
      for (let j = i - 1; j >= 0 && isUnder(list[j]!.instancePath, e.instancePath); j--) {
        if (!dropped.has(j)) block.push(j);
      }
      const typeMismatches = block.filter((j) => list[j]!.keyword === "type" && list[j]!.instancePath === e.instancePath);
      typeMismatches.forEach((j) => dropped.add(j));
      if (typeMismatches.length === block.length) {
        const kinds = typeMismatches.reverse().map((j) => describeBranch(list[j]!.parentSchema as Schema | undefined));
        replaced.set(i, { pointer: base + e.instancePath, message: `must be ${[...new Set(kinds)].join(" or ")}` });
      }
    }
  });

  // A string of the wrong length says why it is wrong; its pattern/format failure is noise.
  const lengthFailures = new Set(list.filter((e) => e.keyword === "minLength" || e.keyword === "maxLength").map((e) => e.instancePath));
  list.forEach((e, i) => {
    if ((e.keyword === "pattern" || e.keyword === "format") && lengthFailures.has(e.instancePath)) dropped.add(i);
  });

  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  list.forEach((e, i) => {
    const issue = replaced.get(i) ?? (dropped.has(i) ? undefined : toIssue(e, base, conditions.get(i)));
    if (!issue) return;
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issue);
  });
  if (issues.length <= maxIssues) return issues;
  const shown = issues.slice(0, maxIssues);
  shown.push({ pointer: base, message: `${issues.length - maxIssues} more problems not shown` });
  return shown;
}
