import type { HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import { modelBindingData } from "./model-binding-data.js";
import { registerLocks } from "./settlement-service.js";
import type { Settler } from "./settler.js";
import { invokeWithMessages } from "./message-invocation.js";

/**
 * Invokes an SDK-bound (`sdkBinding: true`) Service Bus function as the Node worker does:
 * through the programming model the app registered (`getInvocationModel` → `getArguments` →
 * `invokeFunction` → `getResponse`), the trigger's input being `modelBindingData` in the
 * Service Bus extension's encoding (one message, or `collectionModelBindingData` for
 * `cardinality: "many"`), trigger metadata as RPC typed data. The library builds the
 * `{ messages, actions }` argument with the extension's factory, so a copy of
 * `@azure/functions` without that factory fails here as under the real host; `actions` settle
 * through the Settlement gRPC service, which reaches `settler` by lock token.
 */
export async function invokeSdkBound(fn: CapturedFunction, ctx: HostContext, messages: LockedMessage[], many: boolean, settler: Settler): Promise<void> {
  const model = ctx.app.model;
  if (!model) throw new EmulatorError(EmulatorErrorCode.unsupportedBinding, `Function "${fn.name}": the app set no programming model`);
  const unregister = registerLocks(
    messages.map((m) => m.lockToken),
    settler,
  );
  try {
    const data = many
      ? { collectionModelBindingData: { modelBindingData: messages.map(modelBindingData) } }
      : { modelBindingData: modelBindingData(messages[0]!) };
    await invokeWithMessages(fn, ctx, messages, many, data);
  } finally {
    unregister();
  }
}
