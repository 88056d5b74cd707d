import type { HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import type { ServiceBusEmulator, Receiver } from "./emulator.js";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { ReceiverOptions } from "./receiver.js";
import { invokeSdkBound } from "./sdk-binding.js";
import { acquireSettlementService } from "./settlement-service.js";
import type { Settler } from "./settler.js";
import { invokeWithMessages } from "./message-invocation.js";

export const serviceBusTriggerType = "serviceBusTrigger";

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
 * Starts one receiver per Service Bus-triggered function and invokes it through the app's
 * programming model, as the host and the Node worker do: the body (or, for `cardinality:
 * "many"`, the bodies) as RPC string data, trigger metadata as RPC typed data. An invocation
 * that succeeds completes the message(s); one that fails abandons them. With `sdkBinding: true`
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
  if (plans.some(({ binding }) => isSdkBound(binding))) await acquireSettlementService();
  return plans.map(({ fn, binding }) => {
    const many = binding.cardinality === "many";
    const sdk = isSdkBound(binding);
    const { manyBatchSize, ...receiverOptions } = options;
    return emulator.subscribe(
      binding.topicName!,
      binding.subscriptionName!,
      (messages, settler) => invokeServiceBusFunction(fn, ctx, many ? messages : messages.slice(0, 1), many, sdk ? settler : undefined),
      {
        ...receiverOptions,
        // The extension's batch receive loop runs a batch function one batch at a time
        // (maxConcurrentCalls is for single dispatch), and so does devhost.
        ...(many ? { maxConcurrentCalls: 1 } : {}),
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

/**
 * One invocation of a Service Bus-triggered function with locked `messages` (the first only
 * unless `many`); settles nothing itself. Throws when the invocation failed (the receiver then
 * abandons). `sdkSettler` is given for SDK-bound functions.
 */
export async function invokeServiceBusFunction(
  fn: CapturedFunction,
  ctx: HostContext,
  messages: LockedMessage[],
  many: boolean,
  sdkSettler: Settler | undefined,
): Promise<void> {
  if (sdkSettler) return invokeSdkBound(fn, ctx, messages, many, sdkSettler);
  const data = many ? { collectionString: { string: messages.map(bodyText) } } : { string: bodyText(messages[0]!) };
  await invokeWithMessages(fn, ctx, messages, many, data);
}

/** The message body as the extension binds it to a string for the worker (JSON bodies as their JSON text). */
function bodyText(message: LockedMessage): string {
  return typeof message.body === "string" ? message.body : JSON.stringify(message.body);
}
