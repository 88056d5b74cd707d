/**
 * What azd does to infra/main.parameters.json before deploying: plain text substitution of
 * `${NAME}` and `${NAME=default}` (drone/envsubst, which azd calls on the raw file), then
 * JSON parsing. Values are inserted as they are, never escaped, so a JSON value inside quotes
 * breaks the file while an unquoted one becomes JSON. After parsing, azd drops a parameter
 * whose value is null (the template default applies) and turns numeric and boolean strings into
 * numbers and booleans for int and bool parameters.
 *
 * Only the forms this project's file uses are read; anything else is an error, so a test cannot
 * pass over a substitution it does not understand.
 */

/** Substitutes `${NAME}`, `${NAME=default}`, `${NAME:=default}` and `${NAME:-default}` like envsubst. */
export function azdSubstitute(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    // envsubst's escapes in the template text: $$ → $, \\ → \, \/ → /.
    if (ch === "$" && text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (ch === "\\" && (text[i + 1] === "\\" || text[i + 1] === "/")) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (ch !== "$" || text[i + 1] !== "{") {
      out += ch;
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i);
    if (close < 0) throw new Error(`unterminated \${ at offset ${i}`);
    const body = text.slice(i + 2, close);
    const match = /^([A-Za-z0-9_-]+)(?:(=|:=|:-)([^}]*))?$/.exec(body);
    if (!match) throw new Error(`substitution not understood: \${${body}}`);
    const [, name, operator, fallback] = match;
    const value = env[name!] ?? "";
    // envsubst's default functions all apply when the value is empty, set or not.
    out += operator !== undefined && value === "" ? fallback! : value;
    i = close + 1;
  }
  return out;
}

export interface ArmParameterFile {
  parameters: Record<string, { value: unknown }>;
}

/** The parameters azd would deploy: substituted, parsed, nulls dropped. */
export function azdParameters(text: string, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const parsed = JSON.parse(azdSubstitute(text, env)) as ArmParameterFile;
  const result: Record<string, unknown> = {};
  for (const [name, { value }] of Object.entries(parsed.parameters)) if (value !== null) result[name] = value;
  return result;
}

/** Why a value would be refused for a Bicep parameter of `type` (after azd's string conversions). */
export function typeProblem(name: string, type: string, value: unknown): string | undefined {
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  switch (type) {
    case "string":
      return kind === "string" ? undefined : `${name}: a ${kind} for a string parameter`;
    case "int":
      return kind === "number" || (kind === "string" && /^-?\d+$/.test(value as string)) ? undefined : `${name}: ${JSON.stringify(value)} for an int parameter`;
    case "bool":
      return kind === "boolean" || (kind === "string" && /^(true|false)$/i.test(value as string))
        ? undefined
        : `${name}: ${JSON.stringify(value)} for a bool parameter`;
    case "object":
      return kind === "object" ? undefined : `${name}: a ${kind} for an object parameter`;
    case "array":
      return kind === "array" ? undefined : `${name}: a ${kind} for an array parameter`;
    default:
      return `${name}: parameter type '${type}' is not checked`;
  }
}
