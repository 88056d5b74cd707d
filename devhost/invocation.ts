import { randomUUID } from "node:crypto";
import type { FunctionInput, FunctionOutput, InvocationContext } from "@azure/functions";
import type { FunctionsLib } from "./functions-lib.js";
import type { CapturedFunction } from "./loader.js";
import type { Logger } from "./log.js";

/** Values devhost supplies for input bindings, by binding type (e.g. `durableClient`). */
export type InputBindingValues = Record<string, () => unknown>;

/**
 * The `InvocationContext` the real worker would build for one call of `fn`:
 * its trigger, return and extra bindings as options, and the values of the
 * input bindings devhost provides already set in `extraInputs`.
 */
export function createInvocationContext(
  lib: FunctionsLib,
  fn: CapturedFunction,
  log: Logger,
  inputs: InputBindingValues,
  triggerMetadata?: Record<string, unknown>,
): InvocationContext {
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  let returnOutput: FunctionOutput | undefined;
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (name === fn.trigger.name) continue;
    const option = { ...binding, name } as FunctionInput & FunctionOutput;
    if (name === "$return") returnOutput = option;
    else if (binding.direction === "in") extraInputs.push(option);
    else extraOutputs.push(option);
  }
  const context = new lib.InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.name,
    logHandler: (level, ...args) => log.app(fn.name, level, args),
    ...(triggerMetadata ? { triggerMetadata } : {}),
    options: {
      trigger: { ...fn.trigger.binding, name: fn.trigger.name } as InvocationContext["options"]["trigger"],
      ...(returnOutput ? { return: returnOutput } : {}),
      extraInputs,
      extraOutputs,
    },
  });
  for (const input of extraInputs) {
    const value = inputs[input.type];
    if (value) context.extraInputs.set(input, value());
  }
  return context;
}
