import type { IncomingMessage, ServerResponse } from "node:http";
import type { InvocationContext } from "@azure/functions";
import type { CapturedApp, CapturedFunction } from "./loader.js";

/** What the devhost core hands each component when it starts. */
export interface HostContext {
  /** Every captured registration. */
  app: CapturedApp;
  /** The app's environment (AzureWebJobsStorage = Azurite connection string, etc.). */
  env: Record<string, string>;
  /** Azurite storage connection string. */
  connectionString: string;
  /** The devhost's own base URL. */
  baseUrl: string;
  /** Mounts internal routes under a prefix, e.g. "/_devhost/servicebus". */
  mount(prefix: string, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void;
  log(message: string): void;
  /**
   * Fills an invocation's secondary inputs (e.g. the `durableClient` binding, via
   * `context.extraInputs.set(name, value)`) before a component calls the handler.
   * Components build `context.options.extraInputs` from the function's bindings; the
   * host supplies the values. Optional: without it, extra inputs stay empty.
   */
  prepareInvocation?(fn: CapturedFunction, context: InvocationContext): void | Promise<void>;
}

/** A pluggable piece of devhost that serves one or more trigger types. */
export interface HostComponent {
  name: string;
  /** Trigger types this component serves (e.g. ["serviceBusTrigger"]). */
  triggerTypes: readonly string[];
  start(ctx: HostContext): Promise<void>;
  stop(): Promise<void>;
}
