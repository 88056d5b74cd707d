/**
 * The ledger: the queryable read model of every job, step and event
 * (DESIGN §5), on Azure Table Storage.
 *
 * Table layout (all keys escaped by keys.ts):
 * - jobs:        PK tenant_id, RK `<inverted created ms>_<job_id>` — the
 *                authoritative job row; a tenant's listing is one partition,
 *                newest first, state filtered on the server.
 * - steps:       PK job_id, RK `NNNN_<step_id>`; plus the job's immutable
 *                locator row (RK `!job`: tenant + job row key) so `getJob`
 *                works from the id alone and creation writes it in the
 *                steps' batch.
 * - idempotency: PK tenant_id, RK sha256(idempotency key) — the reservation.
 * - events:      PK job_id, RK `<ms>.<seq>.<random>` — append-only.
 */
import { admit, readCounter, readCounters, release, setCounter, type Admission, type InFlightLimits } from "./in-flight.js";
import { activeJobs, countActiveJobs, findClaim, type ExistingClaim } from "./active-jobs.js";
import type { TableNames } from "../config/names.js";
import type { StorageConnection } from "../config/settings.js";
import { defaultTuning, LedgerContext, type LedgerTuning } from "./context.js";
import { createJob } from "./create-job.js";
import { updateJob, updateStep } from "./updates.js";
import { redriveJob, type RedriveOptions } from "./redrive.js";
import {
  countEvents,
  listEvents,
  listJobs,
  listSteps,
  type EventPage,
  type JobPage,
  type ListEventsOptions,
  type ListJobsOptions,
} from "./queries.js";
import { ensureTables, openTables } from "./tables.js";
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

  /** Opens the four tables (creating any that are missing). Keep one Ledger per process and reuse it. */
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
   * with a different body. Throws CreationInProgressError (retryable) if a
   * concurrent creator has not finished within the wait.
   */
  createJob(job: NewJob, steps: readonly NewStep[], idempotency: IdempotencyClaim): Promise<CreateJobResult> {
    return createJob(this.ctx, job, steps, idempotency);
  }

  /** The job (with its ETag), or undefined; `withSteps` adds its steps in protocol order. */
  async getJob(jobId: string, opts: { withSteps?: boolean } = {}): Promise<(Job & { steps?: Step[] }) | undefined> {
    const locator = await this.ctx.locate(jobId);
    if (!locator) return undefined;
    if (!opts.withSteps) return this.ctx.readJobAt(locator);
    const [job, steps] = await Promise.all([this.ctx.readJobAt(locator), listSteps(this.ctx, jobId)]);
    return job && { ...job, steps };
  }

  /** Like {@link getJob}, but undefined when the job belongs to another tenant. */
  async getJobForTenant(
    jobId: string,
    tenantId: string,
    opts: { withSteps?: boolean } = {},
  ): Promise<(Job & { steps?: Step[] }) | undefined> {
    const locator = await this.ctx.locate(jobId);
    if (!locator || locator.tenant_id !== tenantId) return undefined;
    return this.getJob(jobId, opts);
  }

  listSteps(jobId: string): Promise<Step[]> {
    return listSteps(this.ctx, jobId);
  }

  getStep(jobId: string, stepId: string): Promise<Step | undefined> {
    return this.ctx.readStep(jobId, stepId);
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
   * FAILED job → QUEUED; `fromStepId` (default: the first step not SUCCEEDED)
   * and every later step → PENDING with a fresh retry budget. Appends JOB_REDRIVEN.
   */
  redriveJob(jobId: string, fromStepId?: string, opts?: RedriveOptions): Promise<{ job: Job; steps: Step[] }> {
    return redriveJob(this.ctx, jobId, fromStepId, opts);
  }

  /** Appends an event to the job's timeline; events are never changed or removed. */
  appendEvent(jobId: string, event: NewEvent): Promise<LedgerEvent> {
    return this.ctx.appendEvent(jobId, event);
  }

  /** The job's events in insertion order, paged. @throws InvalidContinuationError */
  listEvents(jobId: string, opts?: ListEventsOptions): Promise<EventPage> {
    return listEvents(this.ctx, jobId, opts);
  }

  /** How many of the job's events are of `type` for one step, counted no further than `max`. */
  countEvents(jobId: string, type: string, stepId: string, max: number): Promise<number> {
    return countEvents(this.ctx, jobId, type, stepId, max);
  }

  /** The tenant's jobs, newest first, optionally one state, paged. @throws InvalidContinuationError */
  listJobs(tenantId: string, opts?: ListJobsOptions): Promise<JobPage> {
    return listJobs(this.ctx, tenantId, opts);
  }

  /** Who already holds a tenant's idempotency key, without reserving it. */
  findClaim(tenantId: string, claim: IdempotencyClaim): Promise<ExistingClaim> {
    return findClaim(this.ctx, tenantId, claim);
  }

  /** Every job not yet terminal, across tenants (a table scan: for the reconciler). */
  activeJobs(): AsyncGenerator<Job> {
    return activeJobs(this.ctx);
  }

  /** How many of a tenant's jobs are not yet terminal. */
  countActiveJobs(tenantId: string): Promise<number> {
    return countActiveJobs(this.ctx, tenantId);
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
