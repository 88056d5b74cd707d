import type { Directive, RefStore } from "../../lib/worker-kit.js";
import type { WorkerSettings } from "./settings.js";

/** What a step implementation gets for one attempt. */
export interface StepContext<P> {
  directive: Directive;
  /** The directive's payload, already valid against the step's payload schema. */
  payload: P;
  refs: RefStore;
  settings: WorkerSettings;
  /** Aborted by a CANCEL for this attempt; stop and throw (nothing more is sent). */
  signal: AbortSignal;
  /** Progress (0..1) and details for the next HEARTBEAT. */
  progress(fraction: number, details?: Record<string, unknown>): void;
  log(message: string): void;
}

/** A successful attempt: where the output went, and figures for the RESULT's `metrics`. */
export interface StepOutput {
  output_ref: string;
  artifact_refs?: string[];
  metrics?: Record<string, unknown>;
}

/** One platform worker: the step type it serves, its subscription and its work. */
export interface StepWorker<P = Record<string, unknown>> {
  /** Function name, e.g. `ocrWorker`. */
  name: string;
  stepType: string;
  /** Subscription on `directives` (SubscriptionNames.directives). */
  subscription: string;
  /** `$id` of the payload schema (SchemaIds). */
  payloadSchemaId: string;
  run(context: StepContext<P>): Promise<StepOutput>;
}
