/** One message to publish; `body` is any JSON value and travels as `application/json`. */
export interface OutboundMessage {
  /** Stable per logical message: the broker drops a second send with the same id (duplicate detection). */
  messageId: string;
  body: unknown;
  subject?: string;
  correlationId?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  /** When set, the message stays invisible to receivers until this time. */
  scheduledEnqueueTimeUtc?: Date;
}

/**
 * Publishes messages to topics. Failures are {@link BusError}s; retryable ones
 * (throttling, broker unreachable) may be retried with the same message ids.
 */
export interface BusSender {
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}
