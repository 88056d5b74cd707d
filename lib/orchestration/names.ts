/** Durable function names, shared by the functions that start orchestrations and the orchestrations themselves. */
export const OrchestratorNames = {
  job: "jobOrchestrator",
} as const;

/** The job orchestration's activities. */
export const ActivityNames = {
  startJob: "startJob",
  beginAttempt: "beginAttempt",
  publishMessage: "publishMessage",
  readLease: "readLease",
  settleStep: "settleStep",
  finishJob: "finishJob",
} as const;

/** External events a job's orchestration waits for. */
export const JobEventNames = {
  /** A valid ACK or RESULT for the job, raised by the replies trigger. */
  reply: "reply",
  /** POST /v1/jobs/{id}/cancel. */
  cancel: "cancel",
} as const;

/** What a job's orchestration is started with; everything else it reads from the ledger. */
export interface JobOrchestrationInput {
  job_id: string;
  tenant_id: string;
  protocol_id: string;
  correlation_id?: string;
  traceparent?: string;
}
