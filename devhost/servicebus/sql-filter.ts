import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import { parseSqlFilter, type FilterNode, type Literal, type Operand } from "./sql-filter-parser.js";

/** What a filter can see of a message at send time. */
export interface FilterableMessage {
  messageId: string;
  correlationId?: string;
  subject?: string;
  contentType?: string;
  to?: string;
  replyTo?: string;
  sessionId?: string;
  applicationProperties: Record<string, string | number | boolean>;
}

/** `sys.` names the emulator knows (case-insensitive, as in Service Bus); `Label` is the old name of `Subject`. */
const systemProperties: Record<string, (m: FilterableMessage) => Literal | undefined> = {
  messageid: (m) => m.messageId,
  correlationid: (m) => m.correlationId,
  label: (m) => m.subject,
  subject: (m) => m.subject,
  contenttype: (m) => m.contentType,
  to: (m) => m.to,
  replyto: (m) => m.replyTo,
  sessionid: (m) => m.sessionId,
};

export type CompiledFilter = (message: FilterableMessage) => boolean;

/**
 * Compiles a Service Bus SQL filter. Supported: `=`, `<>`/`!=`, `<`, `<=`, `>`, `>=`;
 * `AND`, `OR`, `NOT`, parentheses; `[NOT] IN (…)`; `IS [NOT] NULL`; `EXISTS(p)`;
 * `[NOT] LIKE 'a%b_' [ESCAPE '!']`; `TRUE`/`FALSE`/`1=1`. Operands: string
 * (`'it''s'`), number, boolean and NULL literals; application properties by bare name,
 * `user.name` or `[odd-name]`; system properties `sys.MessageId`, `sys.CorrelationId`,
 * `sys.Label`/`sys.Subject`, `sys.ContentType`, `sys.To`, `sys.ReplyTo`, `sys.SessionId`.
 * Arithmetic and functions are not supported and rejected here, at start-up.
 * Comparisons follow SQL three-valued logic: a missing property is NULL, so `p <> 'x'`
 * does not match a message without `p`. String comparison is case-sensitive.
 */
export function compileSqlFilter(source: string): CompiledFilter {
  const tree = parseSqlFilter(source);
  checkProperties(tree, source);
  return (message) => evaluate(tree, message) === true;
}

function checkProperties(node: FilterNode, source: string): void {
  const check = (operand: Operand) => {
    if (operand.kind === "property" && operand.scope === "sys" && !(operand.name.toLowerCase() in systemProperties)) {
      throw new EmulatorError(
        EmulatorErrorCode.invalidFilter,
        `SQL filter "${source}": unsupported system property sys.${operand.name} ` + `(supported: ${Object.keys(systemProperties).join(", ")})`,
      );
    }
  };
  switch (node.kind) {
    case "and":
    case "or":
      checkProperties(node.left, source);
      checkProperties(node.right, source);
      return;
    case "not":
      checkProperties(node.operand, source);
      return;
    case "compare":
      check(node.left);
      check(node.right);
      return;
    case "in":
    case "isNull":
    case "exists":
    case "like":
      check(node.operand);
      return;
    case "constant":
      return;
  }
}

/** `true`, `false`, or `null` for SQL UNKNOWN. */
type Truth = boolean | null;

function evaluate(node: FilterNode, message: FilterableMessage): Truth {
  switch (node.kind) {
    case "constant":
      return node.value;
    case "and": {
      const left = evaluate(node.left, message);
      if (left === false) return false;
      const right = evaluate(node.right, message);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case "or": {
      const left = evaluate(node.left, message);
      if (left === true) return true;
      const right = evaluate(node.right, message);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case "not": {
      const inner = evaluate(node.operand, message);
      return inner === null ? null : !inner;
    }
    case "exists":
      return resolve(node.operand, message) !== undefined;
    case "isNull":
      return resolve(node.operand, message) == null;
    case "in": {
      const value = resolve(node.operand, message);
      if (value == null) return null;
      return node.values.some((candidate) => compare(value, candidate) === 0);
    }
    case "like": {
      const value = resolve(node.operand, message);
      if (value == null) return null;
      return typeof value === "string" ? node.pattern.test(value) : null;
    }
    case "compare": {
      const left = resolve(node.left, message);
      const right = resolve(node.right, message);
      if (left == null || right == null) return null;
      const order = compare(left, right);
      if (order === undefined) return null;
      switch (node.op) {
        case "=":
          return order === 0;
        case "<>":
          return order !== 0;
        case ">":
          return order > 0;
        case ">=":
          return order >= 0;
        case "<":
          return order < 0;
        case "<=":
          return order <= 0;
      }
    }
  }
}

function resolve(operand: Operand, message: FilterableMessage): Literal | undefined {
  if (operand.kind === "literal") return operand.value;
  if (operand.scope === "sys") return systemProperties[operand.name.toLowerCase()]!(message);
  return Object.hasOwn(message.applicationProperties, operand.name) ? message.applicationProperties[operand.name] : undefined;
}

/** Orders two non-null values of the same type; `undefined` when the types differ (UNKNOWN). */
function compare(a: Exclude<Literal, null>, b: Literal): number | undefined {
  if (b === null || typeof a !== typeof b) return undefined;
  if (typeof a === "boolean") return a === b ? 0 : a ? 1 : -1;
  return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
}
