import { EmulatorError, EmulatorErrorCode } from "./errors.js";

export type Token =
  | { kind: "ident"; scope: "sys" | "user" | undefined; name: string; at: number }
  | { kind: "keyword"; value: Keyword; at: number }
  | { kind: "string"; value: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "end"; at: number };

const keywords = ["AND", "OR", "NOT", "IN", "IS", "NULL", "EXISTS", "LIKE", "ESCAPE", "TRUE", "FALSE"] as const;
export type Keyword = (typeof keywords)[number];

const operators = ["<>", "!=", ">=", "<=", "=", ">", "<", "(", ")", ","];

export function filterError(source: string, at: number, message: string): EmulatorError {
  return new EmulatorError(EmulatorErrorCode.invalidFilter, `SQL filter "${source}": ${message} at position ${at + 1}`);
}

/** Splits a SQL filter into tokens; `[name]` quotes property names that are not plain identifiers. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw filterError(source, i, "unterminated string literal");
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += source[j++];
      }
      tokens.push({ kind: "string", value, at: i });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(source[i + 1] ?? ""))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: "number", value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_[]/.test(c)) {
      i = identifierOrKeyword(source, i, tokens);
    } else {
      const op = operators.find((o) => source.startsWith(o, i));
      if (!op) throw filterError(source, i, `unexpected character "${c}"`);
      tokens.push({ kind: "op", value: op, at: i });
      i += op.length;
    }
  }
  tokens.push({ kind: "end", at: source.length });
  return tokens;
}

function identifierOrKeyword(source: string, start: number, tokens: Token[]): number {
  const readName = (from: number): [string, number] => {
    if (source[from] === "[") {
      const close = source.indexOf("]", from);
      if (close < 0) throw filterError(source, from, "unterminated [name]");
      return [source.slice(from + 1, close), close + 1];
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(from));
    if (!match) throw filterError(source, from, "expected a property name");
    return [match[0], from + match[0].length];
  };
  let [first, next] = readName(start);
  const upper = first.toUpperCase();
  if (source[start] !== "[" && (keywords as readonly string[]).includes(upper)) {
    tokens.push({ kind: "keyword", value: upper as Keyword, at: start });
    return next;
  }
  let scope: "sys" | "user" | undefined;
  if (source[next] === "." && source[start] !== "[") {
    const lower = first.toLowerCase();
    if (lower !== "sys" && lower !== "user") {
      throw filterError(source, start, `unknown property scope "${first}" (use sys. or user.)`);
    }
    scope = lower;
    [first, next] = readName(next + 1);
  }
  tokens.push({ kind: "ident", scope, name: first, at: start });
  return next;
}
