import rhea from "rhea";
import type { LockedMessage } from "./message.js";

/** `ModelBindingData.source` of a Service Bus message: the name the extension registers its factory under. */
export const serviceBusModelBindingSource = "AzureServiceBusReceivedMessage";
/** The marker between the lock token and the AMQP message in `ModelBindingData.content`. */
const lockTokenMarker = Buffer.from("x-opt-lock-token");

/** `RpcModelBindingData` as the worker protocol carries it. */
export interface RpcModelBindingData {
  version: string;
  source: string;
  contentType: string;
  content: Buffer;
}

/**
 * One locked message as the Service Bus extension hands an SDK-bound trigger to the worker:
 * `content` is the lock token's 16 bytes (.NET `Guid` byte order), the `x-opt-lock-token`
 * marker, then the message in AMQP encoding, which `@azure/functions-extensions-servicebus`
 * decodes with rhea. The AMQP header's delivery count is the broker's (earlier deliveries).
 */
export function modelBindingData(message: LockedMessage): RpcModelBindingData {
  const amqp = rhea.message.encode({
    message_id: message.messageId,
    ...(message.correlationId !== undefined ? { correlation_id: message.correlationId } : {}),
    content_type: message.contentType,
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    ...(message.to !== undefined ? { to: message.to } : {}),
    ...(message.replyTo !== undefined ? { reply_to: message.replyTo } : {}),
    delivery_count: Math.max(0, message.deliveryCount - 1),
    application_properties: message.applicationProperties,
    message_annotations: {
      "x-opt-enqueued-time": message.enqueuedTimeUtc.getTime(),
      "x-opt-sequence-number": message.sequenceNumber,
      "x-opt-locked-until": message.lockedUntil.getTime(),
    },
    body: rhea.message.data_section(bodyBytes(message)),
  });
  return {
    version: "1.0",
    source: serviceBusModelBindingSource,
    contentType: "application/octet-stream",
    content: Buffer.concat([guidBytes(message.lockToken), lockTokenMarker, amqp]),
  };
}

function bodyBytes(message: LockedMessage): Buffer {
  if (typeof message.body === "string" && !/json/i.test(message.contentType)) return Buffer.from(message.body, "utf8");
  return Buffer.from(JSON.stringify(message.body), "utf8");
}

/** A canonical UUID's bytes in .NET `Guid.ToByteArray()` order (first three groups little-endian). */
export function guidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Not a UUID lock token: ${uuid}`);
  const bytes = Buffer.from(hex, "hex");
  return Buffer.concat([bytes.subarray(0, 4).reverse(), bytes.subarray(4, 6).reverse(), bytes.subarray(6, 8).reverse(), bytes.subarray(8)]);
}
