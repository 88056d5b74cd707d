/**
 * The ledger: the queryable read model of every job, step and event,
 * on Azure Table Storage. Layout (all keys escaped by keys.ts;
 * docs/architecture.md, "Ledger layout", says why):
 * - jobs:        PK job_id — the job row (RK `job`), its steps (RK
 *                `s_NNNN_<step_id>`) and its append-only events (RK
 *                `e_<ms>.<seq>.<writer>`): one partition, so every state
 *                change is one entity-group transaction (change.ts).
 * - tenantindex: PK tenant_id — the listing, RK `j_<inverted created ms>_<job_id>`
 *                (newest first; active, or the terminal state), and the
 *                idempotency reservations, RK sha256(idempotency key).
 * - inflight:    the backpressure counters (in-flight.ts).
 */
import { admit, readCounter, readCounters, release, setCounter, type Admission, type InFlightLimits } from "./in-flight.js";
import { activeJobs } from "./active-jobs.js";
import { applyChange, type Applied, type Decision } from "./change.js";
import type { JobSnapshot } from "./context.js";
import type { TableNames } from "../config/names.js";
import type { StorageConnection } from "../config/settings.js";
import { defaultTuning, LedgerContext, type LedgerTuning } from "./context.js";
import { createJob, type CreateOptions } from "./create-job.js";
import { updateJob, updateStep } from "./updates.js";
import { resetForRedrive, type RedriveOptions } from "./redrive.js";
import { listEvents, listJobs, listSteps, type EventPage, type JobPage, type ListEventsOptions, type ListJobsOptions } from "./queries.js";
import { ensureTables, openTables } from "./tables.js";
import { syncListing } from "./listing.js";
import type { JobState, StepState } from "./states.js";
import type {
  CreateJobResult,
  IdempotencyClaim,
  Job,
  JobPatch,
  LedgerEvent,
  NewEvent,
  NewJob,
  NewStep,
  Step,
  StepPatch,
  StepUpdateOptions,
  UpdateOptions,
} from "./types.js";

export interface LedgerOptions {
  storage: StorageConnection;
  tables: TableNames;
  /** Create missing tables while connecting (once per Ledger, never per call). @default true */
  ensureTables?: boolean;
  /** Clock for timestamps and row keys. @default () => new Date() */
  now?: () => Date;
  /** Timing knobs of idempotent creation and conditional writes; see {@link LedgerTuning}. */
  tuning?: Partial<LedgerTuning>;
}

export class Ledger {
  private constructor(private readonly ctx: LedgerContext) {}

  /** Opens the tables (creating any that are missing). Keep one Ledger per process and reuse it. */
  static async connect(options: LedgerOptions): Promise<Ledger> {
    const tables = openTables(options.storage, options.tables);
    if (options.ensureTables ?? true) await ensureTables(tables);
    const now = options.now ?? (() => new Date());
    return new Ledger(new LedgerContext(tables, now, { ...defaultTuning, ...options.tuning }));
  }

  /**
   * Creates a QUEUED job with PENDING steps exactly once per idempotency key
   * (scoped by tenant): "created" for the first caller, "replayed" (with the
   * stored job) for the same key and body hash, "conflict" for the same key
   * with a different body. `opts.admit` is asked only by a creation that won
   * its key; its refusal is an AdmissionRefusedError. Throws CreationInProgressError (retryable) if a
   * concurrent creator has not finished within the wait.
   */
  createJob(job: NewJob, steps: readonly NewStep[], idempotency: IdempotencyClaim, opts?: CreateOptions): Promise<CreateJobResult> {
    return createJob(this.ctx, job, steps, idempotency, opts);
  }

  /** The job (with its ETag) as stored now, or undefined; `withSteps` adds its steps in protocol order. */
  async getJob(jobId: string, opts: { withSteps?: boolean } = {}): Promise<(Job & { steps?: Step[] }) | undefined> {
    if (!opts.withSteps) return this.ctx.readJob(jobId);
    const snapshot = await this.ctx.snapshot(jobId, { fresh: true });
    return snapshot && { ...snapshot.job, steps: snapshot.steps };
  }

  /** Like {@link getJob}, but undefined when the job belongs to another tenant. */
  async getJobForTenant(jobId: string, tenantId: string, opts: { withSteps?: boolean } = {}): Promise<(Job & { steps?: Step[] }) | undefined> {
    const job = await this.getJob(jobId, opts);
    return job?.tenant_id === tenantId ? job : undefined;
  }

  listSteps(jobId: string): Promise<Step[]> {
    return listSteps(this.ctx, jobId);
  }

  /** The step as stored now. */
  async getStep(jobId: string, stepId: string): Promise<Step | undefined> {
    return (await this.ctx.snapshot(jobId, { fresh: true }))?.steps.find((s) => s.step_id === stepId);
  }

  /**
   * The job's rows as this process last read or wrote them (one query if it has none, or with
   * `fresh`). Decide on them, then write through {@link change}: the write is conditional on
   * their ETags, so a snapshot another process has changed since is caught there.
   */
  snapshot(jobId: string, opts: { fresh?: boolean } = {}): Promise<JobSnapshot | undefined> {
    return this.ctx.snapshot(jobId, opts);
  }

  /**
   * Decides on the job's rows and writes what changes together — job row, steps, their
   * events — in one conditional batch; on a 412 the rows are read again and `decide` runs
   * again. Undefined when there is no such job. See change.ts.
   */
  change<R>(jobId: string, decide: (snapshot: JobSnapshot) => Decision<R>, opts: { fresh?: boolean } = {}): Promise<Applied<R> | undefined> {
    return applyChange(this.ctx, jobId, decide, opts);
  }

  /** Rewrites the tenant listing of a job that has just become terminal (after {@link change}; transitions do it themselves). */
  syncListing(job: Job): Promise<void> {
    return syncListing(this.ctx, job);
  }

  /**
   * Moves a job to `to` if that is legal from its current state, re-reading
   * and re-deciding after a concurrent write; appends JOB_STATE_CHANGED.
   * @throws IllegalTransitionError, StaleEtagError (with `ifMatch`), NotFoundError, ConcurrentUpdateError
   */
  transitionJob(jobId: string, to: JobState, patch?: JobPatch, opts?: UpdateOptions): Promise<Job> {
    return updateJob(this.ctx, jobId, to, patch, opts);
  }

  /** Changes fields of a non-terminal job without a state change (e.g. current step); no event. */
  patchJob(jobId: string, patch: JobPatch, opts?: UpdateOptions): Promise<Job> {
    return updateJob(this.ctx, jobId, undefined, patch, opts);
  }

  /**
   * Moves a step to `to` if legal; → DISPATCHED starts attempt `attempt_no + 1`
   * and needs a new `lease_id`. With `expect`, only the named attempt/lease may
   * act (else StaleAttemptError). Appends STEP_STATE_CHANGED.
   * @throws IllegalTransitionError, StaleAttemptError, StaleEtagError, NotFoundError, ConcurrentUpdateError
   */
  transitionStep(jobId: string, stepId: string, to: StepState, patch?: StepPatch, opts?: StepUpdateOptions): Promise<Step> {
    return updateStep(this.ctx, jobId, stepId, to, patch, opts);
  }

  /** Changes fields of a non-terminal step in place (e.g. a heartbeat's lease extension); no event. */
  patchStep(jobId: string, stepId: string, patch: StepPatch, opts?: StepUpdateOptions): Promise<Step> {
    return updateStep(this.ctx, jobId, stepId, undefined, patch, opts);
  }

  /**
   * FAILED job → QUEUED; `fromStepId` (default: the first step not SUCCEEDED or SKIPPED)
   * and every later step → PENDING with a fresh retry budget. Appends JOB_REDRIVEN.
   */
  resetForRedrive(jobId: string, fromStepId?: string, opts?: RedriveOptions): Promise<{ job: Job; steps: Step[] }> {
    return resetForRedrive(this.ctx, jobId, fromStepId, opts);
  }

  /** Appends an event to the job's timeline; events are never changed or removed. */
  appendEvent(jobId: string, event: NewEvent): Promise<LedgerEvent> {
    return this.ctx.appendEvent(jobId, event);
  }

  /** The job's events in insertion order, paged. @throws InvalidContinuationError */
  listEvents(jobId: string, opts?: ListEventsOptions): Promise<EventPage> {
    return listEvents(this.ctx, jobId, opts);
  }

  /** The tenant's jobs, newest first, optionally one state, paged. @throws InvalidContinuationError */
  listJobs(tenantId: string, opts?: ListJobsOptions): Promise<JobPage> {
    return listJobs(this.ctx, tenantId, opts);
  }

  /** Every job not yet terminal, across tenants (a table scan: for the reconciler). */
  activeJobs(): AsyncGenerator<Job> {
    return activeJobs(this.ctx);
  }

  /** Takes an in-flight place for the tenant and overall, or says which limit is reached. */
  admit(tenantId: string, limits: InFlightLimits): Promise<Admission> {
    return admit(this.ctx, tenantId, limits);
  }

  /** Gives back an in-flight place; call once per job that reached a terminal state. */
  release(tenantId: string): Promise<void> {
    return release(this.ctx, tenantId);
  }

  /** The stored in-flight counters by tenant id, and overall, for drift repair. */
  readInFlightCounters(): Promise<{ tenants: Map<string, number>; global: number }> {
    return readCounters(this.ctx);
  }

  /** The stored in-flight count of a tenant, or overall when `tenantId` is undefined. */
  readInFlight(tenantId?: string): Promise<number> {
    return readCounter(this.ctx, tenantId);
  }

  /** Overwrites an in-flight counter with a recomputed value (drift repair). */
  setInFlight(tenantId: string | undefined, count: number): Promise<void> {
    return setCounter(this.ctx, tenantId, count);
  }
}
