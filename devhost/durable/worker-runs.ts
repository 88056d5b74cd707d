import type { CapturedApp, CapturedFunction } from "../loader.js";
import type { RpcParameterBinding } from "../rpc-data.js";
import { rpcValueJson } from "../rpc-data.js";
import { invokeAsWorker, type InvocationLog } from "../worker-invocation.js";
import type { OrchestratorRun } from "./replay.js";
import { orchestrationTriggerText } from "./trigger-text.js";

/** What an activity invocation ended with: its result as JSON text (absent for no value), or its error. */
export type ActivityResult = { output: string | undefined } | { error: Error };

/** Runs an activity or orchestrator function through the app's programming model. */
export interface DurableInvoker {
  orchestrator(fn: CapturedFunction): OrchestratorRun;
  activity(fn: CapturedFunction, inputText: string | undefined): Promise<ActivityResult>;
}

/**
 * The Durable extension's side of the worker protocol for Node apps. The orchestration trigger
 * is the JSON text of the orchestration context (history, input, instance id, …) as a `string`;
 * the orchestrator's state comes back as the invocation's return value (JSON), and a failed
 * orchestrator's state in the error message, which `replay` reads. An activity's input is the
 * JSON text of its input as a `string` (the extension binds activity inputs to strings for
 * out-of-process workers, so the library parses it back); its return value is read back as JSON.
 * `inputData` supplies the values of other input bindings (e.g. `durableClient`).
 */
export function durableInvoker(
  app: CapturedApp,
  inputData: (fn: CapturedFunction) => RpcParameterBinding[],
  log: (fn: CapturedFunction) => InvocationLog,
): DurableInvoker {
  return {
    orchestrator: (fn) => async (trigger) => {
      const outcome = await invokeAsWorker(
        app,
        fn,
        { inputData: [{ name: fn.trigger.name, data: { string: orchestrationTriggerText(trigger) } }, ...inputData(fn)] },
        log(fn),
      );
      if (outcome.status === "succeeded") {
        const state = rpcValueJson(outcome.response.returnValue);
        return { context: outcome.context, state: state === undefined ? undefined : JSON.parse(state) };
      }
      if (!outcome.context) throw outcome.error;
      return { context: outcome.context, error: outcome.error };
    },
    async activity(fn, inputText) {
      const data = inputText === undefined ? null : { string: inputText };
      const outcome = await invokeAsWorker(app, fn, { inputData: [{ name: fn.trigger.name, data }, ...inputData(fn)] }, log(fn));
      if (outcome.status === "failed") return { error: outcome.error };
      return { output: rpcValueJson(outcome.response.returnValue) };
    },
  };
}
