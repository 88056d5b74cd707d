import type { ApiClient, JobView } from "./api-client.js";
import { ExitCode } from "./exit-codes.js";
import { terminalJobStates } from "./job-format.js";
import type { Output } from "./output.js";
import { progressDisplay } from "./progress.js";

/** @default 250 ms between polls of the job */
export const defaultPollMs = 250;

/** Polls the job until it is terminal, showing its steps as they move; returns the last snapshot. */
export async function watchJob(api: ApiClient, jobId: string, out: Output, options: { pollMs?: number; startedAt?: number } = {}): Promise<JobView> {
  const pollMs = options.pollMs ?? defaultPollMs;
  const display = progressDisplay(out, options.startedAt);
  for (;;) {
    const job = await api.job(jobId);
    if (terminalJobStates.has(job.state)) {
      display.finish(job);
      return job;
    }
    display.update(job);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** 0 when the job succeeded, 1 when it ended FAILED or CANCELLED. */
export function exitCodeForJob(job: JobView): ExitCode {
  return job.state === "SUCCEEDED" ? ExitCode.ok : ExitCode.jobUnsuccessful;
}
