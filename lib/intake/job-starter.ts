import type { DurableClient } from "durable-functions";
import { JobEventNames, OrchestratorNames, type JobOrchestrationInput } from "../orchestration/names.js";
import type { ReviewEvent } from "../review/decision.js";

/** Starts a job's orchestration (instanceId = job_id). */
export interface JobStarter {
  /** Starts an instance: for a new job, or a redriven one whose previous run has ended. */
  start(input: JobOrchestrationInput): Promise<void>;
  /**
   * Starts the instance unless one already exists: used when a replayed
   * submission finds its job still QUEUED, because the first start may have failed.
   */
  ensureStarted(input: JobOrchestrationInput): Promise<void>;
}

/** Reaches a running job's orchestration: cancel, pause and resume are more than ledger flags. */
export interface JobController extends JobStarter {
  /** Raises the cancel event; false when the job has no orchestration (it never started). */
  cancel(jobId: string): Promise<boolean>;
  suspend(jobId: string, reason: string): Promise<void>;
  resume(jobId: string, reason: string): Promise<void>;
  /** Raises a review decision (already in the ledger); false when the job has no orchestration. */
  review(jobId: string, event: ReviewEvent): Promise<boolean>;
  /** The orchestration's runtime status and output; undefined when there is no instance. */
  status(jobId: string): Promise<{ runtimeStatus: string; output?: unknown } | undefined>;
}

/**
 * `durable-functions` reports an unknown instance only through the message of
 * a plain Error (HTTP 404 from the extension); this and lib/replies/notify-orchestration.ts
 * are where it is read, and test/unit/durable-functions-internals.test.ts pins the wording.
 */
function isMissingInstance(error: unknown): boolean {
  return error instanceof Error && /HTTP 404 response/.test(error.message);
}

export function durableJobController(client: DurableClient): JobController {
  const start = async (input: JobOrchestrationInput) => {
    await client.startNew(OrchestratorNames.job, { instanceId: input.job_id, input });
  };
  const exists = (jobId: string) =>
    client.getStatus(jobId).then(
      () => true,
      (error: unknown) => {
        if (isMissingInstance(error)) return false;
        throw error;
      },
    );
  return {
    start,
    async ensureStarted(input) {
      if (!(await exists(input.job_id))) await start(input);
    },
    async cancel(jobId) {
      if (!(await exists(jobId))) return false;
      await client.raiseEvent(jobId, JobEventNames.cancel, { requested_at: new Date().toISOString() });
      return true;
    },
    async review(jobId, event) {
      if (!(await exists(jobId))) return false;
      await client.raiseEvent(jobId, JobEventNames.review, event);
      return true;
    },
    async status(jobId) {
      try {
        const status = await client.getStatus(jobId);
        return { runtimeStatus: String(status.runtimeStatus), output: status.output };
      } catch (error) {
        if (isMissingInstance(error)) return undefined;
        throw error;
      }
    },
    suspend: (jobId, reason) => client.suspend(jobId, reason),
    resume: (jobId, reason) => client.resume(jobId, reason),
  };
}
