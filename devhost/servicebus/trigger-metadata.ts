import type { RpcTypedData } from "../rpc-data.js";
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

/** Keys whose binding data the extension holds as `string`s: as arrays, `string[]`. */
const stringKeys = new Set(["messageId", "lockToken", "correlationId", "subject", "label", "contentType", "to", "replyTo"]);

/**
 * `cardinality: "many"`: every per-message field as an `…Array`, typed as the host types arrays
 * for a worker that declares `TypedDataCollection` (the Node worker does): a `string[]` goes as
 * `collectionString`, without its null and empty entries (the Node worker does not declare
 * `IncludeEmptyEntriesInMessagePayload`), so such an array can be shorter than the batch, and the
 * library tries each entry as JSON; every other array as Json.NET's text (`json`). The
 * extension's `long[]` of sequence numbers would go as `collectionSint64`, whose decoding into
 * JavaScript devhost does not model: it goes as `json`, numbers in an array.
 */
export function rpcBatchTriggerMetadata(messages: LockedMessage[]): Record<string, RpcTypedData> {
  const each = messages.map(triggerMetadataFor);
  const out: Record<string, RpcTypedData> = {};
  for (const key of Object.keys(each[0] ?? {})) {
    const values = each.map((m) => m[key]);
    out[`${key}Array`] = stringKeys.has(key)
      ? { collectionString: { string: values.filter((v): v is string => typeof v === "string" && v !== "") } }
      : { json: JSON.stringify(values) };
  }
  return out;
}
