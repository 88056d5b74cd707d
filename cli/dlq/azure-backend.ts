import { DefaultAzureCredential } from "@azure/identity";
import { ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusReceiver } from "@azure/service-bus";
import { SubscriptionNames } from "../../lib/config/names.js";
import { replayCopy, toDeadLetter } from "./azure-mapping.js";
import { ReplayMode, type DeadLetter, type DeadLetterBackend, type DeadLetterQueue } from "./types.js";

/** Messages fetched per receive or peek call. */
const batchSize = 50;
/** How long one receive waits for messages before deciding the queue is drained. @default 3000 ms */
const receiveWaitMs = 3_000;
/** At most this many dead letters are scanned to find one by sequence number. */
const maxScanned = 5_000;

/**
 * Dead letters in an Azure Service Bus namespace: `<topic>/Subscriptions/<sub>/$DeadLetterQueue`
 * through `@azure/service-bus` receivers with `subQueueType: "deadLetter"`.
 */
export class AzureDeadLetters implements DeadLetterBackend {
  readonly name = "azure" as const;

  constructor(private readonly client: ServiceBusClient) {}

  /** `--namespace <fqdn>` with DefaultAzureCredential. */
  static forNamespace(fullyQualifiedNamespace: string): AzureDeadLetters {
    return new AzureDeadLetters(new ServiceBusClient(fullyQualifiedNamespace, new DefaultAzureCredential()));
  }

  async queues(): Promise<DeadLetterQueue[]> {
    return Object.entries(SubscriptionNames).flatMap(([topic, subs]) => subs.map((subscription) => ({ topic, subscription })));
  }

  async list(queue: DeadLetterQueue, limit: number): Promise<DeadLetter[]> {
    return this.withReceiver(queue, "peekLock", async (receiver) => {
      const letters: DeadLetter[] = [];
      while (letters.length < limit) {
        // Successive peeks on one receiver continue where the last one stopped.
        const batch = await receiver.peekMessages(Math.min(batchSize, limit - letters.length));
        if (batch.length === 0) break;
        letters.push(...batch.map((m) => toDeadLetter(queue, m)));
      }
      return letters;
    });
  }

  async show(queue: DeadLetterQueue, sequenceNumber: string): Promise<DeadLetter | undefined> {
    return (await this.list(queue, maxScanned)).find((letter) => letter.sequenceNumber === sequenceNumber);
  }

  /**
   * Receives (peek-lock) until the wanted dead letter turns up, sends its copy to the topic,
   * then completes it; every other message received on the way is abandoned (it stays in the DLQ).
   */
  async replay(queue: DeadLetterQueue, sequenceNumber: string, options: { keepId: boolean }) {
    return this.withReceiver(queue, "peekLock", async (receiver) => {
      const passedOver: ServiceBusReceivedMessage[] = [];
      try {
        while (passedOver.length < maxScanned) {
          const batch = await receiver.receiveMessages(batchSize, { maxWaitTimeInMs: receiveWaitMs });
          if (batch.length === 0) return undefined;
          const found = batch.find((m) => m.sequenceNumber?.toString() === sequenceNumber);
          passedOver.push(...batch.filter((m) => m !== found));
          if (!found) continue;
          const copy = replayCopy(found, options);
          const sender = this.client.createSender(queue.topic);
          try {
            await sender.sendMessages(copy);
          } finally {
            await sender.close();
          }
          await receiver.completeMessage(found);
          return {
            letter: toDeadLetter(queue, found),
            mode: ReplayMode.resentToTopic,
            ...(copy.messageId !== undefined ? { messageId: String(copy.messageId) } : {}),
          };
        }
        return undefined;
      } finally {
        await Promise.allSettled(passedOver.map((m) => receiver.abandonMessage(m)));
      }
    });
  }

  async purge(queue: DeadLetterQueue): Promise<number> {
    return this.withReceiver(queue, "receiveAndDelete", async (receiver) => {
      let purged = 0;
      for (;;) {
        const batch = await receiver.receiveMessages(batchSize, { maxWaitTimeInMs: receiveWaitMs });
        if (batch.length === 0) return purged;
        purged += batch.length;
      }
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async withReceiver<T>(queue: DeadLetterQueue, receiveMode: "peekLock" | "receiveAndDelete", use: (r: ServiceBusReceiver) => Promise<T>): Promise<T> {
    const receiver = this.client.createReceiver(queue.topic, queue.subscription, { subQueueType: "deadLetter", receiveMode });
    try {
      return await use(receiver);
    } finally {
      await receiver.close();
    }
  }
}
