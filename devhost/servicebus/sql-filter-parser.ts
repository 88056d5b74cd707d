import { filterError, tokenize, type Keyword, type Token } from "./sql-filter-lexer.js";

export type Literal = string | number | boolean | null;
export type Operand = { kind: "property"; scope: "sys" | "user"; name: string } | { kind: "literal"; value: Literal };
export type ComparisonOp = "=" | "<>" | ">" | ">=" | "<" | "<=";

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: ComparisonOp; left: Operand; right: Operand }
  | { kind: "in"; operand: Operand; values: Literal[] }
  | { kind: "isNull"; operand: Operand }
  | { kind: "exists"; operand: Operand & { kind: "property" } }
  | { kind: "like"; operand: Operand; pattern: RegExp }
  | { kind: "constant"; value: boolean };

/** Parses the supported SQL filter subset into a tree; throws an `INVALID_FILTER` error naming the position. */
export function parseSqlFilter(source: string): FilterNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const fail = (message: string, token: Token = peek()): never => {
    throw filterError(source, token.at, message);
  };
  const isKeyword = (value: Keyword, token = peek()) => token.kind === "keyword" && token.value === value;
  const isOp = (value: string, token = peek()) => token.kind === "op" && token.value === value;
  const expectOp = (value: string) => {
    if (!isOp(value)) fail(`expected "${value}"`);
    pos++;
  };

  const literal = (): Literal => {
    const token = peek();
    pos++;
    if (token.kind === "string" || token.kind === "number") return token.value;
    if (token.kind === "keyword" && (token.value === "TRUE" || token.value === "FALSE")) return token.value === "TRUE";
    if (token.kind === "keyword" && token.value === "NULL") return null;
    return fail("expected a literal (string, number, TRUE, FALSE or NULL)", token);
  };

  const operand = (): Operand => {
    const token = peek();
    if (token.kind === "ident") {
      pos++;
      return { kind: "property", scope: token.scope ?? "user", name: token.name };
    }
    return { kind: "literal", value: literal() };
  };

  const predicate = (): FilterNode => {
    if (isOp("(")) {
      pos++;
      const inner = or();
      expectOp(")");
      return inner;
    }
    if (isKeyword("EXISTS")) {
      pos++;
      expectOp("(");
      const target = operand();
      if (target.kind !== "property") fail("EXISTS takes a property name");
      expectOp(")");
      return { kind: "exists", operand: target as Operand & { kind: "property" } };
    }
    const left = operand();
    const token = peek();
    if (token.kind === "op" && ["=", "<>", "!=", ">", ">=", "<", "<="].includes(token.value)) {
      pos++;
      const op = (token.value === "!=" ? "<>" : token.value) as ComparisonOp;
      return { kind: "compare", op, left, right: operand() };
    }
    if (isKeyword("IS")) {
      pos++;
      const negated = isKeyword("NOT") ? (pos++, true) : false;
      if (!isKeyword("NULL")) fail("expected NULL after IS");
      pos++;
      const node: FilterNode = { kind: "isNull", operand: left };
      return negated ? { kind: "not", operand: node } : node;
    }
    const negated = isKeyword("NOT") ? (pos++, true) : false;
    let node: FilterNode;
    if (isKeyword("IN")) {
      pos++;
      expectOp("(");
      const values = [literal()];
      while (isOp(",")) {
        pos++;
        values.push(literal());
      }
      expectOp(")");
      node = { kind: "in", operand: left, values };
    } else if (isKeyword("LIKE")) {
      pos++;
      const patternToken = peek();
      if (patternToken.kind !== "string") return fail("LIKE takes a string pattern");
      pos++;
      let escape: string | undefined;
      if (isKeyword("ESCAPE")) {
        pos++;
        const escapeToken = peek();
        if (escapeToken.kind !== "string" || escapeToken.value.length !== 1) {
          return fail("ESCAPE takes a one-character string");
        }
        pos++;
        escape = escapeToken.value;
      }
      node = { kind: "like", operand: left, pattern: likeToRegExp(patternToken.value, escape) };
    } else if (left.kind === "literal" && typeof left.value === "boolean" && !negated) {
      return { kind: "constant", value: left.value };
    } else {
      return fail("expected a comparison, IS [NOT] NULL, [NOT] IN (...) or [NOT] LIKE");
    }
    return negated ? { kind: "not", operand: node } : node;
  };

  const not = (): FilterNode => {
    if (isKeyword("NOT")) {
      pos++;
      return { kind: "not", operand: not() };
    }
    return predicate();
  };
  const and = (): FilterNode => {
    let left = not();
    while (isKeyword("AND")) {
      pos++;
      left = { kind: "and", left, right: not() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (isKeyword("OR")) {
      pos++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };

  if (peek().kind === "end") fail("empty filter (omit the filter to receive every message)");
  const tree = or();
  if (peek().kind !== "end") fail("unexpected text after the end of the expression");
  return tree;
}

function likeToRegExp(pattern: string, escape: string | undefined): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      out += regexEscape(pattern[++i]!);
    } else if (c === "%") {
      out += "[\\s\\S]*";
    } else if (c === "_") {
      out += "[\\s\\S]";
    } else {
      out += regexEscape(c);
    }
  }
  return new RegExp(`^${out}$`);
}

function regexEscape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
