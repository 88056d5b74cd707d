import "@azure/functions-extensions-servicebus";
import { app, type InvocationContext } from "@azure/functions";
import { AppSettingNames, TopicNames } from "../../lib/config/names.js";
import { directiveHandler } from "./handler.js";
import { workerServices } from "./services.js";
import type { StepWorker } from "./types.js";

/**
 * SDK binding with settlement handed to the function. `@azure/functions` 4.15.0 (pinned so it shares
 * one `@azure/functions-extensions-base` with the Service Bus extension) reads `sdkBinding` but its
 * types declare it only from 4.16; the extension's `autoCompleteMessages` is not in the v4 types at all.
 */
const sdkBindingSettlesItself = { sdkBinding: true, autoCompleteMessages: false } as Record<string, unknown>;

/**
 * Registers `worker` as a Service Bus topic trigger on `directives`/<its subscription>.
 * Settings and contracts are loaded now, so a bad configuration stops start-up.
 */
export function registerWorker<P>(worker: StepWorker<P>): void {
  workerServices();
  app.serviceBusTopic(worker.name, {
    topicName: TopicNames.directives,
    subscriptionName: worker.subscription,
    connection: AppSettingNames.serviceBus,
    ...sdkBindingSettlesItself,
    handler: directiveHandler(worker as unknown as StepWorker<Record<string, unknown>>) as (message: unknown, context: InvocationContext) => Promise<void>,
  });
}
