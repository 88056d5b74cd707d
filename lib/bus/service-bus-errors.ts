import { isServiceBusError } from "@azure/service-bus";
import {
  BusBadRequestError,
  BusError,
  BusMessageTooLargeError,
  BusThrottledError,
  BusUnauthorizedError,
  BusUnavailableError,
  BusUnknownTopicError,
} from "./errors.js";

/** Socket-level failures: the broker may well answer the next attempt. */
const transientNetworkCodes = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** Maps whatever `@azure/service-bus` threw to the {@link BusError} hierarchy. */
export function toBusError(error: unknown, topic: string): BusError {
  if (error instanceof BusError) return error;
  const cause = { cause: error };
  const detail = error instanceof Error ? error.message : String(error);
  if (isServiceBusError(error)) {
    switch (error.code) {
      case "ServiceBusy":
      case "QuotaExceeded":
        return new BusThrottledError(`Service Bus is throttling sends to "${topic}": ${detail}`, cause);
      case "ServiceTimeout":
      case "ServiceCommunicationProblem":
      case "MessagingEntityDisabled":
        return new BusUnavailableError(`Service Bus is unavailable for "${topic}": ${detail}`, cause);
      case "MessagingEntityNotFound":
        return new BusUnknownTopicError(`Service Bus topic "${topic}" does not exist`, cause);
      case "MessageSizeExceeded":
        return new BusMessageTooLargeError(`A message to "${topic}" exceeds the size Service Bus accepts`, cause);
      case "UnauthorizedAccess":
        return new BusUnauthorizedError(`Not authorized to send to "${topic}": ${detail}`, cause);
      default:
        break;
    }
  }
  const shaped = error as { code?: unknown; retryable?: unknown } | undefined;
  const code = typeof shaped?.code === "string" ? shaped.code : undefined;
  if ((code && transientNetworkCodes.has(code)) || shaped?.retryable === true) {
    return new BusUnavailableError(`Sending to "${topic}" failed transiently: ${detail}`, cause);
  }
  return new BusBadRequestError(`Sending to "${topic}" failed: ${detail}`, cause);
}
