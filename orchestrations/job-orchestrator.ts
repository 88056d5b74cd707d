import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { OrchestratorNames, type JobOrchestrationInput } from "../lib/orchestration/names.js";

/**
 * The job orchestration (instanceId = job_id). This first version only
 * acknowledges the job; the protocol-driving version replaces its body while
 * keeping the name and input, so jobs started now stay compatible.
 */
// eslint-disable-next-line require-yield -- this first version schedules no work
export const jobOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<JobOrchestrationInput>();
  return { job_id: input.job_id, protocol_id: input.protocol_id };
};

df.app.orchestration(OrchestratorNames.job, jobOrchestrator);
