import type { DurableClient } from "durable-functions";
import { OrchestratorNames, type JobOrchestrationInput } from "../orchestration/names.js";

/** Starts a job's orchestration (instanceId = job_id). */
export interface JobStarter {
  /** Starts a new instance; the job was just created, so none exists yet. */
  start(input: JobOrchestrationInput): Promise<void>;
  /**
   * Starts the instance unless one already exists: used when a replayed
   * submission finds its job still QUEUED, because the first start may have failed.
   */
  ensureStarted(input: JobOrchestrationInput): Promise<void>;
}

export function durableJobStarter(client: DurableClient): JobStarter {
  const start = async (input: JobOrchestrationInput) => {
    await client.startNew(OrchestratorNames.job, { instanceId: input.job_id, input });
  };
  return {
    start,
    async ensureStarted(input) {
      const exists = await client.getStatus(input.job_id).then(
        () => true,
        (error: unknown) => {
          if (isMissingInstance(error)) return false;
          throw error;
        },
      );
      if (!exists) await start(input);
    },
  };
}

/**
 * `durable-functions` reports an unknown instance only through the message of
 * a plain Error (HTTP 404 from the extension); this is the one place that reads it.
 */
function isMissingInstance(error: unknown): boolean {
  return error instanceof Error && /HTTP 404 response/.test(error.message);
}
