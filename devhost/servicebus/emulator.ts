import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import { MessageStore, type SubscriptionCounts } from "./message-store.js";
import { MessageState, type EmulatorMessageInput, type LockedMessage, type SendOutcome, type StoredMessage } from "./message.js";
import { SubscriptionReceiver, type BatchHandler, type ReceiverOptions } from "./receiver.js";
import { SubscriptionQueues } from "./subscription-queues.js";
import { defaultTopology, resolveTopology, type ResolvedSubscription, type ResolvedTopic, type Topology } from "./topology.js";

export interface ServiceBusEmulatorOptions {
  /** Storage (Azurite) connection string; everything accepted is persisted there. */
  connectionString: string;
  /** @default defaultTopology() — Lucius's `directives` and `replies` topics */
  topology?: Topology;
  /**
   * Prefix of the emulator's table (`{prefix}bus`); letters and digits. One process at a time
   * may use a prefix: locks live in the memory of the process that took them. @default "devhostsb"
   */
  tablePrefix?: string;
  /** Largest accepted body, in bytes of its JSON text (Service Bus Standard's limit). @default 262144 */
  maxMessageSizeBytes?: number;
  /** Defaults for every receiver this emulator runs. */
  receiver?: ReceiverOptions;
  /** @default console.log */
  log?: (message: string) => void;
}

export interface Receiver {
  close(): Promise<void>;
}

/**
 * A Service Bus topic/subscription emulator over Table Storage: SQL-filtered fan-out,
 * peek-lock with delivery counts, dead-lettering, duplicate detection and scheduled
 * messages. What a send accepted is in storage before it resolves, and a message leaves
 * storage only when it is completed, so a process that dies loses nothing: the next one
 * delivers again what it held locked (locks are kept in memory, see SubscriptionQueues).
 */
export class ServiceBusEmulator {
  readonly topics: ReadonlyMap<string, ResolvedTopic>;
  /** Prefix of this emulator's tables. */
  readonly tablePrefix: string;
  private readonly messages: MessageStore;
  private readonly queues: SubscriptionQueues;
  private readonly table: TableClient;
  private readonly receivers = new Set<SubscriptionReceiver>();
  private readonly log: (message: string) => void;
  private readonly maxMessageSizeBytes: number;

  constructor(private readonly options: ServiceBusEmulatorOptions) {
    this.topics = resolveTopology(options.topology ?? defaultTopology());
    const prefix = options.tablePrefix ?? "devhostsb";
    this.tablePrefix = prefix;
    if (!/^[A-Za-z][A-Za-z0-9]{0,50}$/.test(prefix)) {
      throw new EmulatorError(EmulatorErrorCode.invalidTopology, `tablePrefix "${prefix}" must be letters and digits, starting with a letter`);
    }
    this.table = TableClient.fromConnectionString(options.connectionString, `${prefix}bus`, { allowInsecureConnection: true });
    this.messages = new MessageStore(this.table);
    this.queues = new SubscriptionQueues(this.messages);
    this.log = options.log ?? ((message) => console.log(message));
    this.maxMessageSizeBytes = options.maxMessageSizeBytes ?? 256 * 1024;
  }

  /** Creates the table if needed and loads what is receivable. Call once before anything else. */
  async start(): Promise<void> {
    await this.table.createTable();
    for (const topic of this.topics.values()) {
      for (const copy of await this.messages.active(topic.name)) {
        // A copy for a subscription since removed from the topology stays in storage, undelivered.
        if (topic.subscriptions.has(copy.message.subscription)) this.queues.add(copy);
      }
    }
  }

  /** Stops every receiver, letting in-flight handlers finish and settle. */
  async close(): Promise<void> {
    const receivers = [...this.receivers];
    this.receivers.clear();
    await Promise.all(receivers.map((r) => r.stop()));
  }

  topic(name: string): ResolvedTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new EmulatorError(EmulatorErrorCode.unknownTopic, `Topic "${name}" does not exist (known: ${[...this.topics.keys()].join(", ")})`);
    return topic;
  }

  subscription(topic: string, name: string): ResolvedSubscription {
    const sub = this.topic(topic).subscriptions.get(name);
    if (!sub) throw new EmulatorError(EmulatorErrorCode.unknownSubscription, `Subscription "${topic}/${name}" does not exist`);
    return sub;
  }

  /**
   * Publishes to a topic: each message is copied to every subscription whose filter
   * matches. Resolves once every copy is stored; a duplicate messageId within the
   * topic's window is accepted and dropped (`accepted: false`).
   */
  async send(topicName: string, inputs: EmulatorMessageInput[]): Promise<SendOutcome[]> {
    const topic = this.topic(topicName);
    inputs.forEach((input, index) => this.validate(input, index));
    const outcomes: SendOutcome[] = [];
    for (const input of inputs) outcomes.push(await this.sendOne(topic, input));
    return outcomes;
  }

  /** Locks up to `max` messages for a caller that settles them itself (tools, tests). */
  receive(topic: string, subscription: string, max = 1): Promise<LockedMessage[]> {
    return this.queues.lockNext(this.subscription(topic, subscription), max);
  }

  complete(message: LockedMessage): Promise<void> {
    return this.queues.complete(message);
  }

  abandon(message: LockedMessage, error?: string): Promise<void> {
    return this.queues
      .abandon(message, this.subscription(message.topic, message.subscription), error)
      .then(() => this.wake(message.topic, message.subscription));
  }

  deadLetter(message: LockedMessage, reason: string, description: string): Promise<void> {
    return this.queues.deadLetter(message, reason, description);
  }

  /** Runs `handler` for the subscription's messages until the returned receiver is closed. */
  subscribe(topic: string, subscription: string, handler: BatchHandler, options: ReceiverOptions = {}): Receiver {
    const receiver = new SubscriptionReceiver(this.queues, this.subscription(topic, subscription), handler, { ...this.options.receiver, ...options }, this.log);
    this.receivers.add(receiver);
    receiver.start();
    return {
      close: async () => {
        this.receivers.delete(receiver);
        await receiver.stop();
      },
    };
  }

  /** Read from storage, so it shows what a restart would find. */
  async counts(topic: string, subscription: string): Promise<SubscriptionCounts> {
    this.subscription(topic, subscription);
    return this.messages.counts(topic, subscription);
  }

  async deadLetters(topic: string, subscription: string): Promise<StoredMessage[]> {
    this.subscription(topic, subscription);
    return this.messages.list(topic, subscription, MessageState.deadLettered);
  }

  async deadLetterBySequence(topic: string, subscription: string, sequenceNumber: number): Promise<StoredMessage | undefined> {
    this.subscription(topic, subscription);
    const found = await this.messages.get(topic, subscription, sequenceNumber);
    return found?.message.state === MessageState.deadLettered ? found.message : undefined;
  }

  /** Puts a dead letter back on its subscription with a fresh delivery count. */
  async replayDeadLetter(topic: string, subscription: string, sequenceNumber: number): Promise<StoredMessage> {
    this.subscription(topic, subscription);
    const found = await this.messages.get(topic, subscription, sequenceNumber);
    if (!found || found.message.state !== MessageState.deadLettered) {
      throw new EmulatorError(EmulatorErrorCode.messageNotFound, `No dead letter ${sequenceNumber} in ${topic}/${subscription}`);
    }
    const { deadLetterReason: _r, deadLetterErrorDescription: _d, deadLetteredAt: _a, lastError: _e, ...rest } = found.message;
    const revived: StoredMessage = { ...rest, state: MessageState.active, deliveryCount: 0, visibleAt: new Date() };
    const etag = await this.messages.replace(revived, found.etag);
    this.queues.add({ message: revived, etag });
    this.wake(topic, subscription);
    return revived;
  }

  /** Deletes every dead letter of the subscription; returns how many. */
  async purgeDeadLetters(topic: string, subscription: string): Promise<number> {
    const letters = await this.deadLetters(topic, subscription);
    for (const letter of letters) await this.messages.remove(letter);
    return letters.length;
  }

  private async sendOne(topic: ResolvedTopic, input: EmulatorMessageInput): Promise<SendOutcome> {
    const now = new Date();
    const messageId = input.messageId ?? randomUUID();
    const scheduled = input.scheduledEnqueueTimeUtc && input.scheduledEnqueueTimeUtc > now ? input.scheduledEnqueueTimeUtc : undefined;
    const visibleAt = scheduled ?? now;
    const base = {
      messageId,
      // Its own copy: a sender that changes its object after the send changes nothing delivered.
      body: JSON.parse(JSON.stringify(input.body)) as unknown,
      contentType: input.contentType ?? "application/json",
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.correlationId !== undefined ? { correlationId: input.correlationId } : {}),
      ...(input.to !== undefined ? { to: input.to } : {}),
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
      applicationProperties: input.applicationProperties ?? {},
    };
    const matching = [...topic.subscriptions.values()].filter((sub) => sub.matches(base));
    const copies = (sequenceNumber: number): StoredMessage[] =>
      matching.map((sub) => ({
        ...base,
        sequenceNumber,
        topic: topic.name,
        subscription: sub.name,
        enqueuedTimeUtc: visibleAt,
        ...(scheduled ? { scheduledEnqueueTimeUtc: scheduled } : {}),
        state: MessageState.active,
        deliveryCount: 0,
        visibleAt,
      }));
    const detect = topic.duplicateDetectionWindowMs > 0 && input.messageId !== undefined;
    const written = await this.messages.send(topic.name, copies, detect ? { messageId, windowMs: topic.duplicateDetectionWindowMs, now } : undefined);
    const outcome = { messageId, sequenceNumber: written.sequenceNumber, subscriptions: matching.map((s) => s.name), visibleAt };
    if (written.kind === "duplicate") return { ...outcome, accepted: false };
    for (const copy of written.copies) {
      this.queues.add(copy);
      this.wake(topic.name, copy.message.subscription, visibleAt);
    }
    return { ...outcome, accepted: true };
  }

  private validate(input: EmulatorMessageInput, index: number): void {
    const fail = (message: string): never => {
      throw new EmulatorError(EmulatorErrorCode.invalidMessage, `messages[${index}]: ${message}`);
    };
    if (input.messageId !== undefined && (typeof input.messageId !== "string" || input.messageId.length === 0 || input.messageId.length > 128)) {
      fail("messageId must be a string of 1 to 128 characters");
    }
    const text = JSON.stringify(input.body);
    if (text === undefined) fail("body must be a JSON value");
    if (Buffer.byteLength(text!, "utf8") > this.maxMessageSizeBytes) {
      throw new EmulatorError(EmulatorErrorCode.messageTooLarge, `messages[${index}]: body exceeds ${this.maxMessageSizeBytes} bytes`);
    }
    for (const [key, value] of Object.entries(input.applicationProperties ?? {})) {
      if (!["string", "number", "boolean"].includes(typeof value)) fail(`applicationProperties.${key} must be a string, number or boolean`);
    }
    const at = input.scheduledEnqueueTimeUtc;
    if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime()))) fail("scheduledEnqueueTimeUtc must be a valid date");
  }

  private wake(topic: string, subscription: string, visibleAt?: Date): void {
    for (const receiver of this.receivers) {
      if (receiver.subscription.topic === topic && receiver.subscription.name === subscription) receiver.notify(visibleAt);
    }
  }
}
