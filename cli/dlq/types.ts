/** A dead-letter queue: the DLQ of one subscription. */
export interface DeadLetterQueue {
  topic: string;
  subscription: string;
}

/** A dead-lettered message, the same from devhost and from Azure Service Bus. */
export interface DeadLetter {
  topic: string;
  subscription: string;
  /** Decimal string: Azure sequence numbers are 64-bit and do not fit a JS number. */
  sequenceNumber: string;
  messageId?: string;
  subject?: string;
  correlationId?: string;
  contentType?: string;
  enqueuedTimeUtc?: string;
  deadLetteredAt?: string;
  deliveryCount?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  applicationProperties: Record<string, unknown>;
  body: unknown;
}

export const ReplayMode = {
  /** A copy was sent to the topic (Azure): its filters route it again; the dead letter was completed. */
  resentToTopic: "resent-to-topic",
  /** The dead letter itself went back onto its subscription (devhost), delivery count reset. */
  returnedToSubscription: "returned-to-subscription",
} as const;
export type ReplayMode = (typeof ReplayMode)[keyof typeof ReplayMode];

export interface ReplayOutcome {
  letter: DeadLetter;
  mode: ReplayMode;
  /** The message id the replayed message carries. */
  messageId?: string;
}

/** One place dead letters live: devhost's emulator or an Azure Service Bus namespace. */
export interface DeadLetterBackend {
  readonly name: "devhost" | "azure";
  /** Every subscription whose DLQ can be read. */
  queues(): Promise<DeadLetterQueue[]>;
  /** Peeks (never removes) up to `limit` dead letters, oldest first. */
  list(queue: DeadLetterQueue, limit: number): Promise<DeadLetter[]>;
  show(queue: DeadLetterQueue, sequenceNumber: string): Promise<DeadLetter | undefined>;
  /** Undefined when there is no such dead letter. */
  replay(queue: DeadLetterQueue, sequenceNumber: string, options: { keepId: boolean }): Promise<ReplayOutcome | undefined>;
  /** Deletes every dead letter of the queue; returns how many. */
  purge(queue: DeadLetterQueue): Promise<number>;
  close(): Promise<void>;
}

export const queueName = (queue: DeadLetterQueue) => `${queue.topic}/${queue.subscription}`;
