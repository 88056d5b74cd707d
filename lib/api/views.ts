import type { JobLinks, JobView, JobEvent, StepView } from "../contracts/index.js";
import type { Job, LedgerEvent, Step } from "../ledger/index.js";
import { waitingFor } from "./waiting-for.js";

/** Links a client follows from a job; relative to the API root. */
export function jobLinks(jobId: string): JobLinks {
  const self = `/v1/jobs/${encodeURIComponent(jobId)}`;
  return { self, steps: `${self}/steps`, events: `${self}/events` };
}

/**
 * The fields each view shows, named once here and in contracts/api/. Picked rather than
 * spread so a field the ledger adds to its rows (a counter, a token) stays out until the
 * contract names it; the ETag and the attempt's lease id are the ledger's and the worker's.
 */
const jobFields = [
  "job_id",
  "tenant_id",
  "request_type",
  "protocol_id",
  "state",
  "mode",
  "input_ref",
  "output_ref",
  "payload",
  "doc_id",
  "correlation_id",
  "traceparent",
  "schema_version",
  "step_count",
  "current_step_id",
  "error",
  "created_at",
  "updated_at",
  "started_at",
  "completed_at",
  "deadline",
  "redrive_count",
] as const satisfies ReadonlyArray<keyof Job & keyof JobView>;

const stepFields = [
  "job_id",
  "step_id",
  "index",
  "step_type",
  "service",
  "state",
  "attempt_no",
  "attempt_base",
  "max_attempts",
  "payload",
  "lease_expires_at",
  "lease_ms",
  "routing_key_used",
  "lane",
  "input_ref",
  "output_ref",
  "error",
  "failure_class",
  "created_at",
  "updated_at",
  "dispatched_at",
  "acked_at",
  "result_received_at",
  "completed_at",
] as const satisfies ReadonlyArray<keyof Step & keyof StepView>;

const eventFields = ["job_id", "event_id", "type", "at", "step_id", "attempt_no", "details"] as const satisfies ReadonlyArray<
  keyof LedgerEvent & keyof JobEvent
>;

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export function jobView(job: Job, steps?: Step[]): JobView {
  const waiting = steps ? waitingFor(job, steps) : undefined;
  return {
    ...pick(job, jobFields),
    ...(waiting ? { waiting_for: waiting } : {}),
    ...(steps ? { steps: steps.map(stepView) } : {}),
    links: jobLinks(job.job_id),
  };
}

export function stepView(step: Step): StepView {
  return pick(step, stepFields);
}

export function eventView(event: LedgerEvent): JobEvent {
  return pick(event, eventFields);
}
