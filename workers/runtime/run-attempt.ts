import type { Directive, ResultReply } from "../../lib/worker-kit.js";
import { failureOf, WorkerError, WorkerErrorCode } from "./errors.js";
import { heartbeatInterval, startHeartbeats } from "./heartbeat.js";
import { checkDirectiveRefs } from "./directive-refs.js";
import { writeMarker } from "./markers.js";
import { failedFor, succeededFor } from "./replies.js";
import { sendReply } from "./send.js";
import type { WorkerServices } from "./services.js";
import type { StepWorker } from "./types.js";

export const AttemptOutcome = { succeeded: "succeeded", failed: "failed", cancelled: "cancelled" } as const;
export type AttemptOutcome = (typeof AttemptOutcome)[keyof typeof AttemptOutcome];

/**
 * Runs one acknowledged attempt: heartbeats every lease/3 while `worker.run` works, then the
 * RESULT — recorded first as the attempt's marker, so a redelivery re-sends it. Once `signal`
 * aborts (CANCEL) nothing more is sent or written for the attempt.
 */
export async function runAttempt(
  worker: StepWorker<Record<string, unknown>>,
  directive: Directive,
  signal: AbortSignal,
  services: WorkerServices,
  log: (message: string) => void,
): Promise<{ outcome: AttemptOutcome; result?: ResultReply }> {
  const started = Date.now();
  const beats = startHeartbeats(
    directive,
    heartbeatInterval(directive.lease_expires_at, started),
    (beat) => sendReply(services.bus, beat, directive),
    signal,
    log,
  );
  let result: ResultReply;
  // Every read and write of this attempt stays inside its tenant's places.
  const refs = services.refs.forJob(directive);
  try {
    checkDirectiveRefs(refs, directive);
    const checked = services.validatePayload(worker.payloadSchemaId, directive.payload);
    if (!checked.ok) {
      const summary = checked.errors.map((e) => `${e.pointer}: ${e.message}`).join("; ");
      throw new WorkerError(WorkerErrorCode.invalidPayload, `The ${worker.stepType} payload is invalid: ${summary}`, { errors: checked.errors });
    }
    const output = await worker.run({ directive, payload: checked.value, refs, settings: services.workerSettings, signal, progress: beats.progress, log });
    result = succeededFor(directive, { ...output, metrics: { ...output.metrics, duration_ms: Date.now() - started } });
  } catch (error) {
    result = failedFor(directive, failureOf(error), { duration_ms: Date.now() - started });
  }
  await beats.stop();
  if (signal.aborted) return { outcome: AttemptOutcome.cancelled };
  try {
    await writeMarker(refs, directive, result);
  } catch (error) {
    // The RESULT still goes out; without a marker a redelivery would only redo the work.
    log(`could not record the RESULT of ${directive.job_id}/${directive.step_id}#${directive.attempt_no}: ${(error as Error).message}`);
  }
  if (signal.aborted) return { outcome: AttemptOutcome.cancelled };
  await sendReply(services.bus, result, directive);
  return { outcome: result.status === "SUCCEEDED" ? AttemptOutcome.succeeded : AttemptOutcome.failed, result };
}
