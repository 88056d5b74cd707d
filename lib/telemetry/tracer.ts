import { trace, type Tracer } from "@opentelemetry/api";
import { packageVersion } from "../paths.js";

/** The instrumentation scope of every Lucius span and instrument. */
export const instrumentationScope = "lucius";

/** Span names: one trace per job holds these (see README, Telemetry). */
export const SpanNames = {
  /** POST /v1/commands; the job's trace continues this span. */
  intake: "lucius.intake",
  /** One step attempt, dispatch to outcome; recorded when the attempt is settled. */
  attempt: "lucius.step.attempt",
  /** One worker reply applied or ignored by the replies trigger. */
  reply: "lucius.reply",
  /** One worker's handling of a directive. */
  workerAttempt: "lucius.worker.attempt",
  /** A job from its acceptance to its terminal state; recorded when it ends. */
  job: "lucius.job",
} as const;
export type SpanNames = (typeof SpanNames)[keyof typeof SpanNames];

/** The app's tracer, through the API's proxy provider: an SDK registered later is still used. */
export function appTracer(): Tracer {
  return trace.getTracer(instrumentationScope, packageVersion);
}
