import { crc32 as zlibCrc32 } from "node:zlib";
import type { CommandEnvelope } from "./contracts/types.gen.js";
import { LuciusError } from "./errors.js";
import { JobMode } from "./ledger/types.js";

/** Thrown for inputs the command schema already rules out; reaching it is a programming error. */
export class RoutingError extends LuciusError {
  override readonly name = "RoutingError";
  readonly retryable = false;
  constructor(
    readonly code: "BURST_WITHOUT_DOC_ID" | "INVALID_LANES",
    message: string,
  ) {
    super(message);
  }
}

export interface RoutingInput {
  tenant_id: string;
  /** @default "DEFAULT" */
  mode?: JobMode | undefined;
  doc_id?: string | undefined;
}

export interface Route {
  routing_key_used: string;
  lane: number;
}

const normalize = (value: string): string => value.trim().toLowerCase();

/**
 * `lower(trim(tenant_id))` for DEFAULT, `lower(trim(tenant_id)) + ":" + lower(trim(doc_id))` for BURST.
 * The tenant id schema forbids ":", so a DEFAULT key never contains one and a BURST key always
 * does, and the first ":" separates tenant from document: keys cannot collide across modes or tenants.
 */
export function routingKey({ tenant_id, mode, doc_id }: RoutingInput): string {
  if (mode !== JobMode.BURST) return normalize(tenant_id);
  if (doc_id === undefined) throw new RoutingError("BURST_WITHOUT_DOC_ID", "BURST routing needs a doc_id");
  return `${normalize(tenant_id)}:${normalize(doc_id)}`;
}

/**
 * CRC-32 (IEEE 802.3) of `bytes` as an unsigned 32-bit integer ("123456789" → 0xCBF43926): Node's
 * own (`node:zlib`, Node 20.15 and later). test/unit/routing.test.ts pins the check values and the
 * lanes of known keys, so a lane never moves under a job in flight.
 */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

const utf8 = new TextEncoder();

/** `CRC32(utf8(routingKey)) % lanes`; `lanes` is a positive integer (settings default 16). */
export function laneFor(key: string, lanes: number): number {
  if (!Number.isSafeInteger(lanes) || lanes < 1) throw new RoutingError("INVALID_LANES", `lanes must be a positive integer, got ${lanes}`);
  return crc32(utf8.encode(key)) % lanes;
}

/** The route of one attempt; compute once per attempt and record it on the step — never recompute. */
export function route(envelope: Pick<CommandEnvelope, "tenant_id" | "mode" | "doc_id">, lanes: number): Route {
  const key = routingKey(envelope);
  return { routing_key_used: key, lane: laneFor(key, lanes) };
}
