import type { IncomingMessage, ServerResponse } from "node:http";
import type { CapturedApp } from "./loader.js";

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
}

/** A pluggable piece of devhost that serves one or more trigger types. */
export interface HostComponent {
  name: string;
  /** Trigger types this component serves (e.g. ["serviceBusTrigger"]). */
  triggerTypes: readonly string[];
  start(ctx: HostContext): Promise<void>;
  stop(): Promise<void>;
}
