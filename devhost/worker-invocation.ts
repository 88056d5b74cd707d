import { randomUUID } from "node:crypto";
import type { InvocationContext } from "@azure/functions";
import type { CapturedApp, CapturedFunction, CoreInvocation } from "./loader.js";
import type { RpcInvocationRequest, RpcInvocationResponse } from "./rpc-data.js";

/** How one invocation ended, as the Node worker reports it to the host. */
export type InvocationOutcome =
  | { status: "succeeded"; context: InvocationContext; response: RpcInvocationResponse }
  /** `context` is missing when the programming model refused the invocation data itself. */
  | { status: "failed"; context?: InvocationContext; error: Error };

/** Where the app's and the library's log lines go: level, category (`user` or `system`), message. */
export type InvocationLog = (level: string, category: string, message: string) => void;

/** Shared by every invocation of one app, as the worker keeps it per channel. */
const appHookData = new WeakMap<CapturedApp, Record<string, unknown>>();

/**
 * Runs one invocation exactly as the Node worker's invocation handler does, with the data in
 * the worker protocol's shapes: the programming model the app registered builds the arguments
 * (`getInvocationModel` → `getArguments`), `preInvocation` hooks may replace inputs and handler,
 * the model calls the handler, `postInvocation` hooks may replace result and error, and the
 * model converts the result (`getResponse`). Whatever the library refuses (a binding it does
 * not know, a Service Bus message without the extension's factory, an HTTP response that is not
 * an object) fails the invocation with the library's own message, as it would under the host.
 */
export async function invokeAsWorker(app: CapturedApp, fn: CapturedFunction, request: RpcInvocationRequest, log: InvocationLog): Promise<InvocationOutcome> {
  const model = app.model;
  if (!model) return { status: "failed", error: new Error(`Function "${fn.name}": the app set no programming model`) };
  const invocationId = randomUUID();
  const core: CoreInvocation = {
    invocationId,
    metadata: { name: fn.name, bindings: fn.bindings, ...(fn.retryOptions !== undefined ? { retryOptions: fn.retryOptions } : {}) },
    request: { invocationId, functionId: fn.name, triggerMetadata: {}, ...request },
    state: "invocation",
    log,
  };
  let context: InvocationContext | undefined;
  try {
    const invocation = model.getInvocationModel(core);
    const args = await invocation.getArguments();
    context = args.context as InvocationContext;
    const hookData: Record<string, unknown> = {};
    const shared = appHookData.get(app) ?? {};
    appHookData.set(app, shared);
    const pre = { hookData, appHookData: shared, invocationContext: context, functionCallback: fn.handler, inputs: args.inputs };
    core.state = "preInvocationHooks";
    await runHooks(app, "preInvocation", pre);
    core.state = "invocation";
    let result: unknown;
    let error: unknown;
    try {
      result = await invocation.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (thrown) {
      error = thrown;
    }
    const post = { hookData, appHookData: shared, invocationContext: context, inputs: pre.inputs, result, error };
    core.state = "postInvocationHooks";
    await runHooks(app, "postInvocation", post);
    if (post.error !== undefined && post.error !== null) throw post.error;
    const response = (await invocation.getResponse(context, post.result)) as RpcInvocationResponse;
    return { status: "succeeded", context, response };
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    return context ? { status: "failed", context, error } : { status: "failed", error };
  }
}

/** Runs the app's hooks of one kind in registration order, as the worker does; a hook that throws fails the invocation. */
export async function runHooks(app: CapturedApp, name: string, context: unknown): Promise<void> {
  for (const hook of [...(app.hooks.get(name) ?? [])]) await hook(context);
}

/** `appStart` hooks, run once the entry files have loaded, as the worker does at `FunctionEnvironmentReload`/start-up. */
export async function runAppStartHooks(app: CapturedApp, functionAppDirectory: string): Promise<void> {
  const shared = appHookData.get(app) ?? {};
  appHookData.set(app, shared);
  await runHooks(app, "appStart", { hookData: {}, appHookData: shared, functionAppDirectory });
}

/** A logger for {@link invokeAsWorker} that writes through devhost's app log, as the host prints worker logs. */
export function appLog(write: (functionName: string, level: string, args: unknown[]) => void, functionName: string): InvocationLog {
  return (level, category, message) => write(functionName, level, [message]);
}
