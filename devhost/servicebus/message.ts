/** A message as handed to {@link ServiceBusEmulator.send}; `body` is any JSON value. */
export interface EmulatorMessageInput {
  /** @default a random UUID (such a message can never be recognised as a duplicate) */
  messageId?: string;
  body: unknown;
  /** @default "application/json" */
  contentType?: string;
  subject?: string;
  correlationId?: string;
  to?: string;
  replyTo?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  scheduledEnqueueTimeUtc?: Date;
}

export const MessageState = { active: "active", deadLettered: "deadlettered" } as const;
export type MessageState = (typeof MessageState)[keyof typeof MessageState];

/** One subscription's copy of a message, as persisted. */
export interface StoredMessage {
  topic: string;
  subscription: string;
  /** Unique and increasing within the emulator; orders delivery and names dead letters in admin routes. */
  sequenceNumber: number;
  messageId: string;
  /** The body as sent, parsed from JSON. */
  body: unknown;
  contentType: string;
  subject?: string;
  correlationId?: string;
  to?: string;
  replyTo?: string;
  applicationProperties: Record<string, string | number | boolean>;
  enqueuedTimeUtc: Date;
  scheduledEnqueueTimeUtc?: Date;
  state: MessageState;
  deliveryCount: number;
  /** When the message can next be received (its schedule time, or when it was last abandoned). */
  visibleAt: Date;
  /** Only on a locked message: locks live in the memory of the process that holds them. */
  lockToken?: string;
  lockedUntil?: Date;
  /** Message of the error that last abandoned it. */
  lastError?: string;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  deadLetteredAt?: Date;
}

/** A message this receiver holds the lock on; pass it back to complete or abandon it. */
export interface LockedMessage extends StoredMessage {
  lockToken: string;
  lockedUntil: Date;
}

/** Outcome of one message of a send. */
export interface SendOutcome {
  messageId: string;
  /** false when duplicate detection dropped it. */
  accepted: boolean;
  sequenceNumber: number;
  /** Subscriptions whose filter matched and that got a copy. */
  subscriptions: string[];
  visibleAt: Date;
}
