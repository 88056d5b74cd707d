import { DefaultAzureCredential } from "@azure/identity";
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from "@azure/service-bus";
import { AppSettingNames } from "../config/names.js";
import { ConfigurationError } from "../config/settings.js";
import { BusMessageTooLargeError } from "./errors.js";
import { toBusError } from "./service-bus-errors.js";
import type { BusSender, OutboundMessage } from "./types.js";

type Env = Record<string, string | undefined>;

/**
 * The Functions convention for the `ServiceBusConnection` setting: a connection string,
 * or `__fullyQualifiedNamespace` (+ `__clientId` for a user-assigned identity).
 */
export function serviceBusClientFromEnv(env: Env): ServiceBusClient {
  const name = AppSettingNames.serviceBus;
  const connectionString = env[name];
  if (connectionString) return new ServiceBusClient(connectionString);
  const namespace = env[`${name}__fullyQualifiedNamespace`];
  if (namespace) {
    const clientId = env[`${name}__clientId`];
    const credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return new ServiceBusClient(namespace, credential);
  }
  throw new ConfigurationError(`Service Bus is not configured: set ${name} (connection string) or ${name}__fullyQualifiedNamespace (managed identity)`);
}

/** Sends through one shared client, with one cached AMQP sender per topic. */
export class ServiceBusBusSender implements BusSender {
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(private readonly client: ServiceBusClient) {}

  async send(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const sender = this.senderFor(topic);
    const immediate: ServiceBusMessage[] = [];
    const scheduled = new Map<number, ServiceBusMessage[]>();
    for (const message of messages) {
      const converted = toServiceBusMessage(message);
      if (message.scheduledEnqueueTimeUtc) {
        const at = message.scheduledEnqueueTimeUtc.getTime();
        scheduled.set(at, [...(scheduled.get(at) ?? []), converted]);
      } else {
        immediate.push(converted);
      }
    }
    try {
      await sendInBatches(sender, topic, immediate);
      for (const [at, group] of scheduled) await sender.scheduleMessages(group, new Date(at));
    } catch (error) {
      throw toBusError(error, topic);
    }
  }

  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.allSettled(senders.map((s) => s.close()));
    await this.client.close();
  }

  private senderFor(topic: string): ServiceBusSender {
    let sender = this.senders.get(topic);
    if (!sender) {
      sender = this.client.createSender(topic);
      this.senders.set(topic, sender);
    }
    return sender;
  }
}

function toServiceBusMessage(message: OutboundMessage): ServiceBusMessage {
  return {
    messageId: message.messageId,
    body: message.body,
    contentType: "application/json",
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    ...(message.correlationId !== undefined ? { correlationId: message.correlationId } : {}),
    ...(message.applicationProperties ? { applicationProperties: message.applicationProperties } : {}),
  };
}

/** Fills size-checked batches so one large call never fails as a whole for being too big. */
async function sendInBatches(sender: ServiceBusSender, topic: string, messages: ServiceBusMessage[]): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (batch.tryAddMessage(message)) continue;
    if (batch.count === 0) {
      throw new BusMessageTooLargeError(`Message "${String(message.messageId)}" is too large for topic "${topic}"`);
    }
    await sender.sendMessages(batch);
    batch = await sender.createMessageBatch();
    if (!batch.tryAddMessage(message)) {
      throw new BusMessageTooLargeError(`Message "${String(message.messageId)}" is too large for topic "${topic}"`);
    }
  }
  if (batch.count > 0) await sender.sendMessages(batch);
}
