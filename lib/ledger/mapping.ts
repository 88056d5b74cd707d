/**
 * Entity ↔ domain mapping. Domain objects use the API's snake_case names;
 * entities carry the same names, with structured fields (refs, payloads,
 * errors) stored as JSON text — split over `name`, `name__1`, … when longer
 * than one string property may be.
 */
import type { TableEntity, TableEntityResult } from "@azure/data-tables";
import { EntityTooLargeError } from "./errors.js";
import { assertEntitySize, jsonChunkChars, maxJsonChunks, maxStringBytes } from "./entity-size.js";
import type { Job, LedgerEvent, Step } from "./types.js";
import { eventIdOf } from "./keys.js";

type Kind = "string" | "number" | "boolean" | "json";
type Fields<T> = { readonly [K in keyof T]-?: Kind };
export type Entity = TableEntity<Record<string, unknown>>;
export type EntityResult = TableEntityResult<Record<string, unknown>>;

const jobFields: Omit<Fields<Job>, "etag"> = {
  job_id: "string",
  tenant_id: "string",
  request_type: "string",
  protocol_id: "string",
  state: "string",
  mode: "string",
  input_ref: "json",
  output_ref: "json",
  payload: "json",
  doc_id: "string",
  correlation_id: "string",
  traceparent: "string",
  schema_version: "string",
  step_count: "number",
  current_step_id: "string",
  error: "json",
  created_at: "string",
  updated_at: "string",
  started_at: "string",
  completed_at: "string",
  deadline: "string",
  redrive_count: "number",
};

const stepFields: Omit<Fields<Step>, "etag"> = {
  job_id: "string",
  step_id: "string",
  index: "number",
  step_type: "string",
  service: "string",
  state: "string",
  attempt_no: "number",
  max_attempts: "number",
  payload: "json",
  lease_id: "string",
  lease_expires_at: "string",
  lease_ms: "number",
  routing_key_used: "string",
  lane: "number",
  input_ref: "json",
  output_ref: "json",
  error: "json",
  failure_class: "string",
  created_at: "string",
  updated_at: "string",
  dispatched_at: "string",
  acked_at: "string",
  ack_event: "boolean",
  result_received_at: "string",
  attempt_base: "number",
  completed_at: "string",
};

const eventFields: Fields<Omit<LedgerEvent, "event_id">> = {
  job_id: "string",
  type: "string",
  step_id: "string",
  attempt_no: "number",
  details: "json",
  at: "string",
};

/**
 * A record's fields in the order mapped, each with the names of its JSON chunks: built once,
 * because a key made afresh for every lookup (`${name}__1`) must be hashed before the lookup,
 * which made reading a step row cost more than parsing its JSON.
 */
type FieldList = ReadonlyArray<{ readonly name: string; readonly kind: Kind; readonly chunks: readonly string[] }>;

function fieldList(fields: Record<string, Kind>): FieldList {
  return Object.entries(fields).map(([name, kind]) => ({
    name,
    kind,
    chunks: kind === "json" ? Array.from({ length: maxJsonChunks - 1 }, (_, i) => `${name}__${i + 1}`) : [],
  }));
}

const jobList = fieldList(jobFields);
const stepList = fieldList(stepFields);
const eventList = fieldList(eventFields);

function toEntity(list: FieldList, value: object, partitionKey: string, rowKey: string): Entity {
  const entity: Entity = { partitionKey, rowKey };
  const source = value as Record<string, unknown>;
  for (const field of list) {
    const v = source[field.name];
    if (v === undefined || v === null) continue;
    if (field.kind === "json") writeJson(entity, field.name, field.chunks, v);
    else entity[field.name] = v;
  }
  assertEntitySize(entity);
  return entity;
}

function fromEntity(list: FieldList, entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of list) {
    const value = field.kind === "json" ? readJson(entity, field.name, field.chunks) : entity[field.name];
    if (value !== undefined && value !== null) out[field.name] = value;
  }
  return out;
}

function writeJson(entity: Entity, name: string, chunkNames: readonly string[], value: unknown): void {
  const text = JSON.stringify(value);
  const chunks = Math.ceil(text.length / jsonChunkChars);
  if (chunks > maxJsonChunks) {
    throw new EntityTooLargeError(name, text.length * 2, maxJsonChunks * jsonChunkChars * 2);
  }
  for (let i = 0; i < chunks; i++) entity[i === 0 ? name : chunkNames[i - 1]!] = text.slice(i * jsonChunkChars, (i + 1) * jsonChunkChars);
}

function readJson(entity: Record<string, unknown>, name: string, chunkNames: readonly string[]): unknown {
  const first = entity[name];
  if (typeof first !== "string") return undefined;
  let text = first;
  for (const chunk of chunkNames) {
    const next = entity[chunk];
    if (typeof next !== "string") break;
    text += next;
  }
  return JSON.parse(text);
}

export function jobToEntity(job: Omit<Job, "etag">, partitionKey: string, rowKey: string): Entity {
  return toEntity(jobList, job, partitionKey, rowKey);
}

export function jobFromEntity(entity: EntityResult): Job {
  return { ...(fromEntity(jobList, entity) as Omit<Job, "etag">), etag: entity.etag };
}

const ignoredRepliesField = "ignored_replies";

/** The step's row; `ignoredReplies` is the step's REPLY_IGNORED count, kept on the row beside its fields. */
export function stepToEntity(step: Omit<Step, "etag">, partitionKey: string, rowKey: string, ignoredReplies = 0): Entity {
  const entity = toEntity(stepList, step, partitionKey, rowKey);
  if (ignoredReplies > 0) entity[ignoredRepliesField] = ignoredReplies;
  return entity;
}

export function stepFromEntity(entity: EntityResult): Step {
  return { ...(fromEntity(stepList, entity) as Omit<Step, "etag">), etag: entity.etag };
}

export function eventToEntity(event: Omit<LedgerEvent, "event_id">, partitionKey: string, rowKey: string): Entity {
  return toEntity(eventList, event, partitionKey, rowKey);
}

export function eventFromEntity(entity: EntityResult): LedgerEvent {
  return { ...(fromEntity(eventList, entity) as Omit<LedgerEvent, "event_id">), event_id: eventIdOf(entity.rowKey ?? "") };
}

/** Bookkeeping on a step row that is not part of the step: REPLY_IGNORED events recorded for it. */
export function ignoredRepliesOf(entity: Record<string, unknown>): number {
  const value = entity[ignoredRepliesField];
  return typeof value === "number" ? value : 0;
}

/**
 * A job's row in its tenant's listing: which job, and whether it is still active. A terminal
 * job's row also names its final state, so the listing filters terminal states on the server;
 * an active job's exact state (QUEUED, RUNNING, PAUSED, CANCELLING) is read from the job row.
 */
export interface Listing {
  job_id: string;
  active: boolean;
  state?: string;
}

export function listingToEntity(listing: Listing, partitionKey: string, rowKey: string): Entity {
  return { partitionKey, rowKey, job_id: listing.job_id, active: listing.active, ...(listing.state ? { state: listing.state } : {}) };
}

export function listingFromEntity(entity: Record<string, unknown>): Listing {
  return { job_id: String(entity.job_id), active: entity.active === true, ...(typeof entity.state === "string" ? { state: entity.state } : {}) };
}

/** An idempotency reservation: who owns the key, for which body, and where the job's listing row is. */
export interface Reservation {
  job_id: string;
  listing_rk: string;
  body_hash: string;
  created_at: string;
}

export function reservationToEntity(r: Reservation, key: string, partitionKey: string, rowKey: string): Entity {
  // The raw key is kept only for people reading the table; the row key is its hash.
  const readableKey = key.length * 2 <= maxStringBytes / 16 ? { key } : {};
  return { partitionKey, rowKey, ...r, ...readableKey };
}

export function reservationFromEntity(entity: Record<string, unknown>): Reservation {
  return {
    job_id: String(entity.job_id),
    listing_rk: String(entity.listing_rk),
    body_hash: String(entity.body_hash),
    created_at: String(entity.created_at),
  };
}
