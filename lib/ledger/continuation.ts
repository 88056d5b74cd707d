/**
 * Client-facing continuation tokens: base64url of the listing's partition and
 * the table's next partition/row keys (which the service keeps opaque — Azurite
 * and Azure encode them differently, so they are carried, never interpreted).
 * The token is bound to the partition it was issued for, and every listing
 * filters on that partition, so a token can neither move a query into another
 * tenant's (or job's) rows nor crash it with garbage: anything unexpected is an
 * {@link InvalidContinuationError}.
 */
import { InvalidContinuationError } from "./errors.js";

const maxTokenLength = 4096;

interface NextKeys {
  nextPartitionKey: string;
  nextRowKey?: string;
}

/** Turns the SDK's page token into ours; undefined when there is no next page. */
export function toClientToken(sdkToken: string | undefined, partition: string): string | undefined {
  if (!sdkToken) return undefined;
  const keys = parseKeys(Buffer.from(sdkToken, "base64").toString("utf8"));
  if (!keys) throw new Error("Unexpected continuation token format from @azure/data-tables");
  return Buffer.from(JSON.stringify([partition, keys.nextPartitionKey, keys.nextRowKey ?? null]), "utf8").toString("base64url");
}

/** Validates a client token for `partition` and returns the SDK's form of it. */
export function fromClientToken(token: string, partition: string): string {
  if (token.length === 0 || token.length > maxTokenLength || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new InvalidContinuationError();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw new InvalidContinuationError();
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    typeof decoded[0] !== "string" ||
    typeof decoded[1] !== "string" ||
    decoded[1].length === 0 ||
    (decoded[2] !== null && typeof decoded[2] !== "string")
  ) {
    throw new InvalidContinuationError();
  }
  if (decoded[0] !== partition) throw new InvalidContinuationError("issued for a different listing");
  const keys: NextKeys = { nextPartitionKey: decoded[1], ...(decoded[2] ? { nextRowKey: decoded[2] } : {}) };
  return Buffer.from(JSON.stringify(keys), "utf8").toString("base64");
}

function parseKeys(text: string): NextKeys | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const { nextPartitionKey, nextRowKey } = value as Record<string, unknown>;
    if (typeof nextPartitionKey !== "string" || nextPartitionKey === "") return undefined;
    if (nextRowKey !== undefined && typeof nextRowKey !== "string") return undefined;
    return { nextPartitionKey, ...(nextRowKey ? { nextRowKey } : {}) };
  } catch {
    return undefined;
  }
}
