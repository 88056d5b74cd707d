/**
 * The one failure root: every error Lucius raises on purpose is a {@link LuciusError} with a
 * stable `code` (callers branch on it, never on message text), whether trying again may help
 * (`retryable`), optional structured `details` and the `cause` it wraps. Each area keeps its
 * codes beside its errors (ledger, bus, refs, contracts, intake); only the HTTP layer
 * (lib/http/error-problems.ts) turns them into problem documents.
 */

/** Marks instances across module copies: `instanceof LuciusError` must not depend on which copy made them. */
const brand = Symbol.for("lucius.error");

export interface LuciusErrorOptions {
  cause?: unknown;
  details?: Readonly<Record<string, unknown>>;
}

export abstract class LuciusError extends Error {
  abstract readonly code: string;
  /** True when the same call may succeed if simply tried again later. */
  abstract readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, options: LuciusErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.details = options.details;
    Object.defineProperty(this, brand, { value: true });
  }

  /** The root's `instanceof` reads the brand (two loaded copies agree); subclasses keep the prototype check. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== LuciusError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

export function isLuciusError(error: unknown): error is LuciusError {
  return error instanceof LuciusError;
}
