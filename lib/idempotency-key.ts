import { createHash } from "node:crypto";
import type { CommandEnvelope } from "./contracts/types.gen.js";

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, recursively), object members whose
 * value is null or undefined dropped, arrays kept in order (a null inside an array stays, since
 * dropping it would shift positions), numbers and strings as `JSON.stringify` writes them, no
 * whitespace. Throws TypeError for values JSON cannot carry (non-finite numbers, bigint, functions).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] != null)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The fields that make two commands "the same request" when the client gives no idempotency_key. */
const fingerprintFields = ["tenant_id", "request_type", "doc_id", "input_ref", "output_ref", "payload", "schema_version"] as const;

/** SHA-256 (hex) of the canonical JSON of the command's identifying fields (docs/architecture.md, "State machines"). */
export function commandFingerprint(envelope: CommandEnvelope): string {
  return sha256Hex(canonicalJson(Object.fromEntries(fingerprintFields.map((field) => [field, envelope[field]]))));
}

export const IdempotencyKeySource = { client: "client", fingerprint: "fingerprint" } as const;
export type IdempotencyKeySource = (typeof IdempotencyKeySource)[keyof typeof IdempotencyKeySource];

/** The client's `idempotency_key` when given, else the fingerprint. Not tenant-scoped: the caller scopes it (partition = tenant_id). */
export function idempotencyKey(envelope: CommandEnvelope): { key: string; source: IdempotencyKeySource } {
  return envelope.idempotency_key !== undefined
    ? { key: envelope.idempotency_key, source: IdempotencyKeySource.client }
    : { key: commandFingerprint(envelope), source: IdempotencyKeySource.fingerprint };
}

/** Fields that identify a delivery rather than the request; a retry may change them. */
const deliveryFields = new Set(["idempotency_key", "correlation_id", "traceparent"]);

/**
 * SHA-256 (hex) of the canonical JSON of the whole envelope minus `idempotency_key`,
 * `correlation_id` and `traceparent`. Same key and same bodyHash → replay; same key and a
 * different bodyHash → 409.
 */
export function bodyHash(envelope: CommandEnvelope): string {
  return sha256Hex(canonicalJson(Object.fromEntries(Object.entries(envelope).filter(([key]) => !deliveryFields.has(key)))));
}
