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

/** One partition per subscription keeps every query inside a single partition. */
export function partitionFor(topic: string, subscription: string): string {
  return `${topic}~${subscription}`;
}

/** Zero-padded so that row-key order is sequence order (FIFO delivery). */
export function rowKeyFor(sequenceNumber: number): string {
  return String(sequenceNumber).padStart(17, "0");
}

export function toEntity(message: StoredMessage): MessageEntity {
  const entity: MessageEntity = {
    partitionKey: partitionFor(message.topic, message.subscription),
    rowKey: rowKeyFor(message.sequenceNumber),
    topic: message.topic,
    subscription: message.subscription,
    messageId: message.messageId,
    contentType: message.contentType,
    properties: asciiJson(message.applicationProperties),
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    state: message.state,
    deliveryCount: message.deliveryCount,
    visibleAt: message.visibleAt,
    lockToken: message.lockToken ?? "",
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
    lockedUntil: message.lockedUntil,
    lastError: message.lastError,
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
    deadLetteredAt: message.deadLetteredAt,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) entity[key] = value;
  return entity;
}

export function fromEntity(entity: MessageEntity): StoredMessage {
  const text = (key: string) => (typeof entity[key] === "string" && entity[key] !== "" ? (entity[key] as string) : undefined);
  const date = (key: string) => (entity[key] === undefined ? undefined : new Date(entity[key] as string | Date));
  let body = "";
  for (let i = 0; i < Number(entity.bodyChunks ?? 1); i++) body += String(entity[`body${i}`] ?? "");
  const message: StoredMessage = {
    topic: String(entity.topic),
    subscription: String(entity.subscription),
    sequenceNumber: Number(entity.rowKey),
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
    lockToken: text("lockToken"),
    lockedUntil: date("lockedUntil"),
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
