import type { HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import { rpcTriggerMetadata } from "../rpc-data.js";
import type { RpcInvocationRequest } from "../rpc-data.js";
import { invokeAsWorker } from "../worker-invocation.js";
import type { LockedMessage } from "./message.js";
import { rpcBatchTriggerMetadata, triggerMetadataFor } from "./trigger-metadata.js";

type TriggerData = NonNullable<RpcInvocationRequest["inputData"]>[number]["data"];

/**
 * Invokes a Service Bus-triggered function through the app's programming model with the trigger
 * input `data` (string bodies, or `modelBindingData` for SDK-bound functions) and the messages'
 * trigger metadata, as the host sends them; throws when the invocation failed.
 */
export async function invokeWithMessages(fn: CapturedFunction, ctx: HostContext, messages: LockedMessage[], many: boolean, data: TriggerData): Promise<void> {
  const outcome = await invokeAsWorker(
    ctx.app,
    fn,
    {
      inputData: [{ name: fn.trigger.name, data }, ...(ctx.inputData?.(fn) ?? [])],
      triggerMetadata: many ? rpcBatchTriggerMetadata(messages) : rpcTriggerMetadata(triggerMetadataFor(messages[0]!)),
    },
    (level, category, message) => ctx.log(`[${fn.name}] ${category} ${level}: ${message}`),
  );
  if (outcome.status === "failed") throw outcome.error;
}
