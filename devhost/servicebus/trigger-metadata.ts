import type { LockedMessage } from "./message.js";

/**
 * The trigger metadata the Functions host gives a Service Bus trigger, in the camelCase
 * the Node worker hands to `context.triggerMetadata`.
 */
export function triggerMetadataFor(message: LockedMessage): Record<string, unknown> {
  const enqueued = message.enqueuedTimeUtc.toISOString();
  return {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: enqueued,
    enqueuedTime: enqueued,
    sequenceNumber: message.sequenceNumber,
    lockToken: message.lockToken,
    lockedUntil: message.lockedUntil.toISOString(),
    lockedUntilUtc: message.lockedUntil.toISOString(),
    correlationId: message.correlationId,
    subject: message.subject,
    label: message.subject,
    contentType: message.contentType,
    to: message.to,
    replyTo: message.replyTo,
    applicationProperties: message.applicationProperties,
    userProperties: message.applicationProperties,
  };
}

/** `cardinality: "many"`: every per-message field as an `…Array`, as the host does for batches. */
export function batchTriggerMetadataFor(messages: LockedMessage[]): Record<string, unknown> {
  const each = messages.map(triggerMetadataFor);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(each[0] ?? {})) out[`${key}Array`] = each.map((m) => m[key]);
  return out;
}
