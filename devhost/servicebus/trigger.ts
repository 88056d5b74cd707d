import { randomUUID } from "node:crypto";
import type { FunctionInput, FunctionOutput, FunctionTrigger } from "@azure/functions";
import type { HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import type { ServiceBusEmulator, Receiver } from "./emulator.js";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { ReceiverOptions } from "./receiver.js";
import { invokeSdkBound } from "./sdk-binding.js";
import { acquireSettlementService } from "./settlement-service.js";
import type { Settler } from "./settler.js";
import { batchTriggerMetadataFor, triggerMetadataFor } from "./trigger-metadata.js";

export const serviceBusTriggerType = "serviceBusTrigger";

type FunctionsModule = typeof import("@azure/functions");

/** What `app.serviceBusTopic(...)` registers as the trigger binding. */
interface ServiceBusTriggerBinding {
  topicName?: string;
  subscriptionName?: string;
  queueName?: string;
  connection?: string;
  cardinality?: "one" | "many";
  isSessionsEnabled?: boolean;
  autoCompleteMessages?: boolean;
  sdkBinding?: boolean;
  properties?: { supportsDeferredBinding?: string };
}

/**
 * Starts one receiver per Service Bus-triggered function and calls its handler as the
 * Functions worker would: `handler(message | messages[], context)`. A handler that
 * resolves completes the message(s); one that throws abandons them. With `sdkBinding: true`
 * the messages go to the app's programming model as `modelBindingData` and the handler's
 * `actions` settle them through the Settlement gRPC service (see sdk-binding.ts). Resolves the
 * receivers and, when any function is SDK-bound, a `release` for the Settlement service.
 */
export async function bindServiceBusTriggers(
  emulator: ServiceBusEmulator,
  ctx: HostContext,
  options: ReceiverOptions & { manyBatchSize?: number },
): Promise<Receiver[]> {
  const functions = [...ctx.app.functions.values()].filter((fn) => fn.trigger.binding.type === serviceBusTriggerType);
  // Check every function before starting any, so a bad one stops start-up with nothing running.
  const plans = functions.map((fn) => ({ fn, binding: checkBinding(emulator, fn) }));
  if (plans.length === 0) return [];
  // Loaded only now, after the host installed its core shim: loaded first, it would enter test mode.
  const lib = (await import("@azure/functions")) as unknown as FunctionsModule & { default?: FunctionsModule };
  const InvocationContext = (lib.default ?? lib).InvocationContext;
  if (plans.some(({ binding }) => isSdkBound(binding))) await acquireSettlementService();
  return plans.map(({ fn, binding }) => {
    const many = binding.cardinality === "many";
    const sdk = isSdkBound(binding);
    const { manyBatchSize, ...receiverOptions } = options;
    return emulator.subscribe(
      binding.topicName!,
      binding.subscriptionName!,
      (messages, settler) => invoke(InvocationContext, fn, ctx, many ? messages : messages.slice(0, 1), many, sdk ? settler : undefined),
      {
        ...receiverOptions,
        maxBatchSize: many ? (manyBatchSize ?? 32) : 1,
        ...(binding.autoCompleteMessages !== undefined ? { autoComplete: binding.autoCompleteMessages } : {}),
      },
    );
  });
}

function isSdkBound(binding: ServiceBusTriggerBinding): boolean {
  return binding.sdkBinding === true || binding.properties?.supportsDeferredBinding === "true";
}

function checkBinding(emulator: ServiceBusEmulator, fn: CapturedFunction): ServiceBusTriggerBinding {
  const binding = fn.trigger.binding as ServiceBusTriggerBinding;
  const fail = (message: string): never => {
    throw new EmulatorError(EmulatorErrorCode.unsupportedBinding, `Function "${fn.name}": ${message}`);
  };
  if (binding.queueName !== undefined) fail(`Service Bus queues are not emulated (queue "${binding.queueName}"); use a topic`);
  if (!binding.topicName || !binding.subscriptionName) fail("the Service Bus trigger needs topicName and subscriptionName");
  if (binding.isSessionsEnabled) fail("session-enabled subscriptions are not emulated");
  try {
    emulator.subscription(binding.topicName!, binding.subscriptionName!);
  } catch (error) {
    fail((error as Error).message);
  }
  return binding;
}

async function invoke(
  InvocationContext: FunctionsModule["InvocationContext"],
  fn: CapturedFunction,
  ctx: HostContext,
  messages: LockedMessage[],
  many: boolean,
  sdkSettler: Settler | undefined,
): Promise<void> {
  if (sdkSettler) return invokeSdkBound(fn, ctx, messages, many, sdkSettler);
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (name === fn.trigger.name) continue;
    if (binding.direction === "out") extraOutputs.push({ ...binding, name } as FunctionOutput);
    else extraInputs.push({ ...binding, name } as FunctionInput);
  }
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.name,
    triggerMetadata: many ? batchTriggerMetadataFor(messages) : triggerMetadataFor(messages[0]!),
    options: {
      trigger: { ...fn.trigger.binding, name: fn.trigger.name } as FunctionTrigger,
      extraInputs,
      extraOutputs,
    },
    logHandler: (level, ...args) => ctx.log(`[${fn.name}] ${level}: ${args.map(String).join(" ")}`),
  });
  await ctx.prepareInvocation?.(fn, context);
  const bodies = messages.map((m) => m.body);
  await fn.handler(many ? bodies : bodies[0], context);
}
