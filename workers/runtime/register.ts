import "@azure/functions-extensions-servicebus";
import { app, type InvocationContext } from "@azure/functions";
import { AppSettingNames, sdkBindingSettlesItself, TopicNames } from "../../lib/worker-kit.js";
import { directiveHandler } from "./handler.js";
import { workerServices } from "./services.js";
import type { StepWorker } from "./types.js";

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
