import type { Ref } from "../contracts/index.js";
import type { JobState, StepState } from "./states.js";

/** Document references are the contract's `ref` (generated from contracts/ref.v1); the ledger round-trips them. */
export type { Ref };

/** A failure as recorded on a job or step (the RESULT's `error`, or the orchestrator's own). */
export interface FailureInfo {
  code: string;
  message: string;
  details?: unknown;
  [key: string]: unknown;
}

export type JsonObject = Record<string, unknown>;

export const JobMode = { DEFAULT: "DEFAULT", BURST: "BURST" } as const;
export type JobMode = (typeof JobMode)[keyof typeof JobMode];

/** What the intake passes to {@link Ledger.createJob}. */
export interface NewJob {
  /** Omitted → a fresh UUID. Ignored on replay (the stored job keeps its id). */
  job_id?: string;
  tenant_id: string;
  request_type: string;
  protocol_id: string;
  input_ref: Ref;
  output_ref: Ref;
  payload: JsonObject;
  /** @default "DEFAULT" */
  mode?: JobMode;
  doc_id?: string;
  correlation_id?: string;
  traceparent?: string;
  schema_version?: string;
  /** Who submitted the command; recorded on the JOB_CREATED event, not the job. */
  submitted_by?: string;
  /** ISO time by which the job must have ended (orchestration v4 on). @default none */
  deadline?: string;
}

export interface Job {
  job_id: string;
  tenant_id: string;
  request_type: string;
  protocol_id: string;
  state: JobState;
  mode: JobMode;
  input_ref: Ref;
  output_ref: Ref;
  payload: JsonObject;
  doc_id?: string;
  correlation_id?: string;
  traceparent?: string;
  schema_version?: string;
  step_count: number;
  current_step_id?: string;
  error?: FailureInfo;
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  /** ISO time by which the job must have ended. @default none */
  deadline?: string;
  /** Number of redrives so far. @default 0 */
  redrive_count: number;
  /** Opaque concurrency token of the row as read; pass as `ifMatch` to update only if unchanged. */
  etag: string;
}

/** One protocol step as the intake resolves it. */
export interface NewStep {
  step_id: string;
  step_type: string;
  service: string;
  /** This step's part of the command payload. */
  payload?: JsonObject;
  /** @default undefined (the orchestrator applies the protocol default) */
  max_attempts?: number;
  /** The first step's input; later steps receive theirs from the previous RESULT. */
  input_ref?: Ref;
}

export interface Step {
  job_id: string;
  step_id: string;
  /** Position in the protocol, from 0. */
  index: number;
  step_type: string;
  service: string;
  state: StepState;
  /** 0 until first dispatched; +1 on every DISPATCHED; never reused, not even by a redrive. */
  attempt_no: number;
  /** Attempts made before the last redrive; the retry budget counts from here. @default 0 */
  attempt_base?: number;
  max_attempts?: number;
  payload?: JsonObject;
  lease_id?: string;
  lease_expires_at?: string;
  /** The current attempt's lease length: each valid HEARTBEAT moves `lease_expires_at` this far past its arrival. */
  lease_ms?: number;
  routing_key_used?: string;
  lane?: number;
  input_ref?: Ref;
  output_ref?: Ref;
  error?: FailureInfo;
  failure_class?: string;
  created_at: string;
  updated_at: string;
  dispatched_at?: string;
  acked_at?: string;
  /**
   * false: the attempt's ACK is written here and not raised to the orchestration, which reads it
   * back when its ACK timer fires (attempts opened by orchestration v3 on). Absent: raised.
   */
  ack_event?: boolean;
  /** When the current attempt's first RESULT arrived; later copies of it are duplicates. */
  result_received_at?: string;
  completed_at?: string;
  etag: string;
}

/** Fields a job transition/patch may set; `null` clears a field. */
export interface JobPatch {
  output_ref?: Ref | null;
  error?: FailureInfo | null;
  current_step_id?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
}

/** Fields a step transition/patch may set; `null` clears a field. */
export interface StepPatch {
  /** On → DISPATCHED the ledger sets `attempt_no` itself (current + 1); a different value is rejected. */
  attempt_no?: number;
  lease_id?: string | null;
  lease_expires_at?: string | null;
  lease_ms?: number | null;
  routing_key_used?: string | null;
  lane?: number | null;
  input_ref?: Ref | null;
  output_ref?: Ref | null;
  error?: FailureInfo | null;
  failure_class?: string | null;
  dispatched_at?: string | null;
  acked_at?: string | null;
  ack_event?: boolean | null;
  result_received_at?: string | null;
  completed_at?: string | null;
}

export interface UpdateOptions {
  /** ETag the caller read earlier: the write happens only if the row is unchanged, else StaleEtagError (no re-read). */
  ifMatch?: string;
  /** Free-form details recorded on the state-change event. */
  details?: JsonObject;
}

export interface StepUpdateOptions extends UpdateOptions {
  /** The attempt the caller acts on; if it is not the step's current one → StaleAttemptError. */
  expect?: { attempt_no: number; lease_id: string };
}

export const EventType = {
  JOB_CREATED: "JOB_CREATED",
  JOB_STATE_CHANGED: "JOB_STATE_CHANGED",
  STEP_STATE_CHANGED: "STEP_STATE_CHANGED",
  JOB_REDRIVEN: "JOB_REDRIVEN",
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface NewEvent {
  /** One of {@link EventType} or any other upper-case name a caller records (e.g. `REPLY_IGNORED`). */
  type: string;
  step_id?: string;
  attempt_no?: number;
  details?: JsonObject;
}

export interface LedgerEvent extends NewEvent {
  job_id: string;
  /** Sortable, unique within the job; the row key. */
  event_id: string;
  at: string;
}

export interface IdempotencyClaim {
  key: string;
  /** Hash of the canonical request body; equal hash = same request. */
  bodyHash: string;
}

export type CreateOutcome = "created" | "replayed" | "conflict";

export type CreateJobResult =
  | { outcome: "created" | "replayed"; job: Job }
  /** The key belongs to a different request; `job_id` names the job that owns it. */
  | { outcome: "conflict"; job_id: string; job?: Job };
