export type { BusSender, OutboundMessage } from "./types.js";
export { createBusSender } from "./sender.js";
export { directiveMessage, replyMessage, BusPropertyNames, type ReplyRouting } from "./messages.js";
export {
  BusError,
  BusErrorCode,
  BusThrottledError,
  BusUnavailableError,
  BusUnknownTopicError,
  BusMessageTooLargeError,
  BusBadRequestError,
  BusUnauthorizedError,
  isBusError,
} from "./errors.js";
