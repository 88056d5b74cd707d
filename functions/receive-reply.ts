import "@azure/functions-extensions-servicebus";
import type { ServiceBusMessageContext } from "@azure/functions-extensions-servicebus";
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { durableClient } from "../lib/orchestration/durable-client.js";
import { AppSettingNames, SubscriptionNames, TopicNames } from "../lib/config/names.js";
import { deadLetterWithReason } from "../lib/bus/sdk-dead-letter.js";
import { sdkBindingCompletedByHost } from "../lib/bus/sdk-binding.js";
import { handleReply } from "../lib/replies/handle-reply.js";
import { notifyOrchestration } from "../lib/replies/notify-orchestration.js";
import { appServices, loadStartupServices } from "../lib/services.js";
import { recordDeadLettered } from "../lib/telemetry/replies.js";

loadStartupServices();

/** Service Bus caps a dead-letter description; the schema errors are cut to fit. */
const maxDescription = 1024;

/**
 * Worker replies (topic `replies`). An invalid reply is dead-lettered with the
 * schema errors as the reason, and a failure to apply one (storage or Durable
 * unreachable) abandons it for redelivery, both through the message's actions;
 * the host completes what the function leaves unsettled once it returns
 * (`autoCompleteMessages` on this trigger alone), so a reply applied or ignored
 * costs no settlement call from the worker to the host.
 */
export async function receiveReply(batch: ServiceBusMessageContext, context: InvocationContext): Promise<void> {
  const { contracts, ledger, settings } = await appServices();
  const client = durableClient(context);
  const messages = Array.isArray(batch.messages) ? batch.messages : [batch.messages];
  for (const message of messages) {
    try {
      const outcome = await handleReply(message.body, {
        contracts,
        ledger,
        stepDefaults: settings.stepDefaults,
        ignoredEventsPerStep: settings.replyIgnoredEventsPerStep,
        notify: (reply) => notifyOrchestration(client, reply),
      });
      if (outcome.kind === "invalid") {
        recordDeadLettered(TopicNames.replies, outcome.reason, message.messageId, outcome.description);
        await deadLetterWithReason(batch.actions, message, outcome.reason, outcome.description.slice(0, maxDescription));
      }
    } catch (error) {
      context.error(`reply ${message.messageId} could not be applied; abandoning for redelivery`, error);
      await batch.actions.abandon(message);
    }
  }
}

app.serviceBusTopic("receiveReply", {
  topicName: TopicNames.replies,
  subscriptionName: SubscriptionNames.replies[0],
  connection: AppSettingNames.serviceBus,
  ...sdkBindingCompletedByHost,
  extraInputs: [df.input.durableClient()],
  handler: receiveReply as (message: unknown, context: InvocationContext) => Promise<void>,
});
