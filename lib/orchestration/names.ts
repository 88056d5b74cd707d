/** Durable function names, shared by the functions that start orchestrations and the orchestrations themselves. */
export const OrchestratorNames = {
  job: "jobOrchestrator",
} as const;

/** External events a job's orchestration waits for. */
export const JobEventNames = {
  /** A valid ACK or RESULT for the job, raised by the replies trigger. */
  reply: "reply",
  /** POST /v1/jobs/{id}/cancel. */
  cancel: "cancel",
  /** POST /v1/jobs/{id}/steps/{step_id}/approve | reject, once the ledger holds the decision (a ReviewEvent). */
  review: "review",
} as const;

/** What a job's orchestration is started with; everything else it reads from the ledger. */
export interface JobOrchestrationInput {
  job_id: string;
  tenant_id: string;
  protocol_id: string;
  correlation_id?: string;
  traceparent?: string;
}
