import type { MessageState, StoredMessage } from "./message.js";

/** Table Storage caps a string property at 64 KiB (32 K UTF-16 units); bodies are split below that. */
const chunkChars = 30_000;

/**
 * JSON with every non-ASCII character as a `\uXXXX` escape. Azurite was seen corrupting a
 * multi-byte character that straddled a chunk of a large request; ASCII cannot straddle.
 */
function asciiJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface MessageEntity {
  partitionKey: string;
  rowKey: string;
  etag?: string;
  [property: string]: unknown;
}

/**
 * One partition per topic, so a send's copies (one per matching subscription) and its
 * duplicate-detection record go into storage in one entity-group transaction.
 */
export function partitionFor(topic: string): string {
  return topic;
}

const copyPrefix = "c~";
const dedupPrefix = "d~";

/** A subscription's copy; zero-padded so that row-key order within a subscription is sequence order (FIFO delivery). */
export function rowKeyFor(subscription: string, sequenceNumber: number): string {
  return `${copyPrefix}${subscription}~${String(sequenceNumber).padStart(17, "0")}`;
}

/** Row keys from `ge` (inclusive) to `lt` (exclusive) hold one subscription's copies, or every copy of the topic. */
export function copyRange(subscription?: string): { ge: string; lt: string } {
  const start = subscription === undefined ? copyPrefix : `${copyPrefix}${subscription}~`;
  // "~" sorts after every character of a sequence number and of an entity name.
  return { ge: start, lt: `${start}~` };
}

/** The duplicate-detection record of a messageId, beside the copies in the topic's partition. */
export function dedupRowKeyFor(messageId: string): string {
  return `${dedupPrefix}${Buffer.from(messageId, "utf8").toString("base64url")}`;
}

export function toEntity(message: StoredMessage): MessageEntity {
  const entity: MessageEntity = {
    partitionKey: partitionFor(message.topic),
    rowKey: rowKeyFor(message.subscription, message.sequenceNumber),
    sequenceNumber: String(message.sequenceNumber),
    topic: message.topic,
    subscription: message.subscription,
    messageId: message.messageId,
    contentType: message.contentType,
    properties: asciiJson(message.applicationProperties),
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    state: message.state,
    deliveryCount: message.deliveryCount,
    visibleAt: message.visibleAt,
  };
  const body = asciiJson(message.body);
  const chunks = Math.max(1, Math.ceil(body.length / chunkChars));
  entity.bodyChunks = chunks;
  for (let i = 0; i < chunks; i++) entity[`body${i}`] = body.slice(i * chunkChars, (i + 1) * chunkChars);
  const optional = {
    subject: message.subject,
    correlationId: message.correlationId,
    to: message.to,
    replyTo: message.replyTo,
    scheduledEnqueueTimeUtc: message.scheduledEnqueueTimeUtc,
    lastError: message.lastError,
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
    deadLetteredAt: message.deadLetteredAt,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) entity[key] = value;
  return entity;
}

/** Bytes a copy adds to a transaction's payload, near enough to keep a batch under the service's limit. */
export function entitySize(entity: MessageEntity): number {
  let size = 200;
  for (const [key, value] of Object.entries(entity)) size += key.length + 20 + (typeof value === "string" ? value.length : 30);
  return size;
}

export function fromEntity(entity: MessageEntity): StoredMessage {
  const text = (key: string) => (typeof entity[key] === "string" && entity[key] !== "" ? (entity[key] as string) : undefined);
  const date = (key: string) => (entity[key] === undefined ? undefined : new Date(entity[key] as string | Date));
  let body = "";
  for (let i = 0; i < Number(entity.bodyChunks ?? 1); i++) body += String(entity[`body${i}`] ?? "");
  const message: StoredMessage = {
    topic: String(entity.topic),
    subscription: String(entity.subscription),
    sequenceNumber: Number(entity.sequenceNumber),
    messageId: String(entity.messageId),
    body: JSON.parse(body) as unknown,
    contentType: String(entity.contentType),
    applicationProperties: JSON.parse(String(entity.properties ?? "{}")) as StoredMessage["applicationProperties"],
    enqueuedTimeUtc: date("enqueuedTimeUtc")!,
    state: entity.state as MessageState,
    deliveryCount: Number(entity.deliveryCount ?? 0),
    visibleAt: date("visibleAt")!,
  };
  const optional: Partial<StoredMessage> = {
    subject: text("subject"),
    correlationId: text("correlationId"),
    to: text("to"),
    replyTo: text("replyTo"),
    scheduledEnqueueTimeUtc: date("scheduledEnqueueTimeUtc"),
    lastError: text("lastError"),
    deadLetterReason: text("deadLetterReason"),
    deadLetterErrorDescription: text("deadLetterErrorDescription"),
    deadLetteredAt: date("deadLetteredAt"),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (message as unknown as Record<string, unknown>)[key] = value;
  }
  return message;
}
