import type { LockedMessage } from "./message.js";

/**
 * The trigger metadata the Functions host gives a Service Bus trigger, in the camelCase the
 * Node worker hands to `context.triggerMetadata`: the extension's binding data, less what the
 * emulator does not model (`expiresAt`/`expiresAtUtc`: no TTL; session and partition keys).
 * The extension gives no lock time, so neither does this: no function can come to rely on one.
 *
 * Times stay `Date`s, as the extension's binding data holds `DateTime`s. The host sends every
 * value that is not a string (or a double) as Json.NET's JSON text, so a time reaches the worker
 * as `json`, never as a `string` that the library would first try, and fail, to parse as JSON
 * (test/integration/devhost-conformance.test.ts).
 */
export function triggerMetadataFor(message: LockedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    enqueuedTime: message.enqueuedTimeUtc,
    sequenceNumber: message.sequenceNumber,
    lockToken: message.lockToken,
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
