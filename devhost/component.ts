import type { IncomingMessage, ServerResponse } from "node:http";
import type { CapturedApp, CapturedFunction } from "./loader.js";
import type { RpcParameterBinding } from "./rpc-data.js";

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
   * The values of a function's input bindings other than its trigger, in the worker protocol's
   * shapes (e.g. the `durableClient` binding as the Durable extension sends it), which a
   * component adds to the invocation's `inputData`. Optional: without it there are none.
   */
  inputData?(fn: CapturedFunction): RpcParameterBinding[];
}

/** A pluggable piece of devhost that serves one or more trigger types. */
export interface HostComponent {
  name: string;
  /** Trigger types this component serves (e.g. ["serviceBusTrigger"]). */
  triggerTypes: readonly string[];
  start(ctx: HostContext): Promise<void>;
  stop(): Promise<void>;
}
