import type { ServiceBusMessage, ServiceBusReceivedMessage } from "@azure/service-bus";
import type { DeadLetter, DeadLetterQueue } from "./types.js";

/** The part of a received message the mapping reads (tests build these by hand). */
export type ReceivedLetter = Pick<
  ServiceBusReceivedMessage,
  | "body"
  | "messageId"
  | "contentType"
  | "correlationId"
  | "subject"
  | "to"
  | "replyTo"
  | "sessionId"
  | "partitionKey"
  | "timeToLive"
  | "applicationProperties"
  | "enqueuedTimeUtc"
  | "deliveryCount"
  | "deadLetterReason"
  | "deadLetterErrorDescription"
> & { sequenceNumber?: { toString(): string } };

/** A dead letter as Azure Service Bus delivered it, in the CLI's shape. */
export function toDeadLetter(queue: DeadLetterQueue, m: ReceivedLetter): DeadLetter {
  const messageId = m.messageId === undefined ? undefined : String(m.messageId);
  return {
    topic: queue.topic,
    subscription: queue.subscription,
    sequenceNumber: m.sequenceNumber?.toString() ?? "",
    ...(messageId !== undefined ? { messageId } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.correlationId !== undefined ? { correlationId: String(m.correlationId) } : {}),
    ...(m.contentType !== undefined ? { contentType: m.contentType } : {}),
    ...(m.enqueuedTimeUtc ? { enqueuedTimeUtc: m.enqueuedTimeUtc.toISOString() } : {}),
    ...(m.deliveryCount !== undefined ? { deliveryCount: m.deliveryCount } : {}),
    ...(m.deadLetterReason !== undefined ? { deadLetterReason: m.deadLetterReason } : {}),
    ...(m.deadLetterErrorDescription !== undefined ? { deadLetterErrorDescription: m.deadLetterErrorDescription } : {}),
    applicationProperties: { ...(m.applicationProperties ?? {}) },
    body: Buffer.isBuffer(m.body) ? m.body.toString("utf8") : m.body,
  };
}

const replaySuffix = /:replay:(\d+)$/;

/**
 * The id of a replayed copy: `<id>:replay:1`, then `:replay:2` on a copy that was itself
 * replayed. A new id matters because the topic's duplicate detection would silently drop a
 * copy that reuses one it saw within its window.
 */
export function replayMessageId(messageId: string): string {
  const match = replaySuffix.exec(messageId);
  if (!match) return `${messageId}:replay:1`;
  return `${messageId.slice(0, match.index)}:replay:${Number(match[1]) + 1}`;
}

/**
 * The copy a replay sends to the topic: same body, content type, correlation id, subject,
 * addressing and application properties (the subscription filters read these), a new message id
 * unless `keepId`. Dead-letter fields stay behind: they describe the old delivery.
 */
export function replayCopy(m: ReceivedLetter, options: { keepId: boolean }): ServiceBusMessage {
  const id = m.messageId === undefined ? undefined : String(m.messageId);
  return {
    body: m.body,
    ...(id !== undefined ? { messageId: options.keepId ? id : replayMessageId(id) } : {}),
    ...(m.contentType !== undefined ? { contentType: m.contentType } : {}),
    ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.to !== undefined ? { to: m.to } : {}),
    ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
    ...(m.sessionId !== undefined ? { sessionId: m.sessionId } : {}),
    ...(m.partitionKey !== undefined ? { partitionKey: m.partitionKey } : {}),
    ...(m.timeToLive !== undefined ? { timeToLive: m.timeToLive } : {}),
    applicationProperties: { ...(m.applicationProperties ?? {}) },
  };
}
