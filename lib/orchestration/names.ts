/** Durable function names, shared by the functions that start orchestrations and the orchestrations themselves. */
export const OrchestratorNames = {
  job: "jobOrchestrator",
} as const;

/** What a job's orchestration is started with; everything else it reads from the ledger. */
export interface JobOrchestrationInput {
  job_id: string;
  tenant_id: string;
  protocol_id: string;
  correlation_id?: string;
  traceparent?: string;
}
