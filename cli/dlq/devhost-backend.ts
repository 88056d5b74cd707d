import type { ApiClient } from "../api-client.js";
import { ApiError } from "../errors.js";
import { ReplayMode, type DeadLetter, type DeadLetterBackend, type DeadLetterQueue } from "./types.js";

/** devhost's Service Bus admin API (devhost/servicebus/admin-routes.ts). */
export const devhostServiceBusPath = "/_devhost/servicebus";

interface TopicView {
  name: string;
  subscriptions: Array<{ name: string }>;
}

/** What the admin API answers for a dead letter (devhost's stored message). */
interface StoredLetter {
  topic: string;
  subscription: string;
  sequenceNumber: number;
  messageId: string;
  body: unknown;
  contentType?: string;
  subject?: string;
  correlationId?: string;
  applicationProperties?: Record<string, unknown>;
  enqueuedTimeUtc?: string;
  deliveryCount?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  deadLetteredAt?: string;
}

/**
 * Dead letters in devhost's emulator. Replay uses the emulator's own replay: the dead letter
 * goes back onto its subscription with a fresh delivery count, keeping its id (there is no
 * duplicate detection between a subscription and itself), so `--keep-id` changes nothing here.
 */
export class DevhostDeadLetters implements DeadLetterBackend {
  readonly name = "devhost" as const;

  constructor(private readonly api: ApiClient) {}

  /** Whether the API is devhost: its Service Bus admin routes answer. */
  static async detect(api: ApiClient): Promise<boolean> {
    try {
      return Array.isArray(await api.get<TopicView[]>(`${devhostServiceBusPath}/topics`, { allowNotFound: true }));
    } catch {
      return false;
    }
  }

  async queues(): Promise<DeadLetterQueue[]> {
    const topics = (await this.api.get<TopicView[]>(`${devhostServiceBusPath}/topics`)) ?? [];
    return topics.flatMap((t) => t.subscriptions.map((s) => ({ topic: t.name, subscription: s.name })));
  }

  async list(queue: DeadLetterQueue, limit: number): Promise<DeadLetter[]> {
    const answer = await this.api.get<{ items: StoredLetter[] }>(this.path(queue));
    return (answer?.items ?? []).slice(0, limit).map(fromStored);
  }

  async show(queue: DeadLetterQueue, sequenceNumber: string): Promise<DeadLetter | undefined> {
    const letter = await this.api.get<StoredLetter>(`${this.path(queue)}/${encodeURIComponent(sequenceNumber)}`, { allowNotFound: true });
    return letter ? fromStored(letter) : undefined;
  }

  async replay(queue: DeadLetterQueue, sequenceNumber: string) {
    const letter = await this.show(queue, sequenceNumber);
    if (!letter) return undefined;
    try {
      await this.api.request("POST", `${this.path(queue)}/${encodeURIComponent(sequenceNumber)}/replay`);
    } catch (error) {
      // Settled by someone else between the read and the replay.
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
    return { letter, mode: ReplayMode.returnedToSubscription, ...(letter.messageId ? { messageId: letter.messageId } : {}) };
  }

  async purge(queue: DeadLetterQueue): Promise<number> {
    return (await this.api.request<{ purged: number }>("DELETE", this.path(queue))).body.purged;
  }

  async close(): Promise<void> {
    // Plain HTTP requests: nothing is held open.
  }

  private path(queue: DeadLetterQueue): string {
    return `${devhostServiceBusPath}/topics/${encodeURIComponent(queue.topic)}/subscriptions/${encodeURIComponent(queue.subscription)}/deadletters`;
  }
}

function fromStored(m: StoredLetter): DeadLetter {
  return {
    topic: m.topic,
    subscription: m.subscription,
    sequenceNumber: String(m.sequenceNumber),
    messageId: m.messageId,
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
    ...(m.contentType !== undefined ? { contentType: m.contentType } : {}),
    ...(m.enqueuedTimeUtc !== undefined ? { enqueuedTimeUtc: m.enqueuedTimeUtc } : {}),
    ...(m.deadLetteredAt !== undefined ? { deadLetteredAt: m.deadLetteredAt } : {}),
    ...(m.deliveryCount !== undefined ? { deliveryCount: m.deliveryCount } : {}),
    ...(m.deadLetterReason !== undefined ? { deadLetterReason: m.deadLetterReason } : {}),
    ...(m.deadLetterErrorDescription !== undefined ? { deadLetterErrorDescription: m.deadLetterErrorDescription } : {}),
    applicationProperties: m.applicationProperties ?? {},
    body: m.body,
  };
}
