/**
 * Exactly-once job creation (docs/architecture.md, "Ledger layout"), in two batches.
 *
 * 1. In the tenant's partition of the tenant index: the idempotency
 *    reservation (hashed key) naming a fresh job_id, and the job's listing
 *    row. The reservation's insert is the arbiter: exactly one concurrent
 *    caller's batch succeeds, every other one gets 409 and writes nothing.
 *    No read comes first: the conflict is the answer.
 * 2. In the job's own partition: the QUEUED job row, its PENDING steps and
 *    JOB_CREATED, all at once. The job row is the commit point: `getJob`
 *    and the listing show a job only once its row exists, and then with its
 *    steps and first event.
 *
 * Between the two, `admit` (intake's in-flight admission) decides whether the
 * command may take a place: only a command that won its key is admitted, so a
 * replay or a conflicting reuse of a key touches no counter. A refusal takes
 * the reservation back (one batch), leaving nothing behind, and is thrown as
 * {@link AdmissionRefusedError}.
 *
 * Both are inserts whose 409 is accepted as "already written": the rows of
 * one job_id are only ever written from one reservation, for one body hash,
 * so existing rows are identical. That is what lets a retry finish a
 * creation that crashed after batch 1 — with the same job_id — and lets a
 * completion race with a slow-but-alive original harmlessly.
 */
import { randomUUID } from "node:crypto";
import type { TransactionAction } from "@azure/data-tables";
import { submitTransaction } from "../tables/submit-transaction.js";
import { JobState, StepState } from "./states.js";
import { CreationInProgressError, EntityTooLargeError, InvalidInputError } from "./errors.js";
import { createdEventRowKey, idempotencyRowKey, jobPartition, jobRowKey, listingRowKey, stepRowKey, tenantPartition } from "./keys.js";
import { entityBytes } from "./entity-size.js";
import {
  eventToEntity,
  jobToEntity,
  listingToEntity,
  reservationFromEntity,
  reservationToEntity,
  stepToEntity,
  type Entity,
  type EntityResult,
  type Reservation,
} from "./mapping.js";
import { getOrUndefined, sleep, type LedgerContext } from "./context.js";
import { isConflict } from "./tables.js";
import { maxBatchOperations } from "./row-writes.js";
import { EventType, JobMode, type CreateJobResult, type IdempotencyClaim, type Job, type NewJob, type NewStep } from "./types.js";

/** The creation batch holds the job row, its steps and JOB_CREATED. */
export const maxStepsPerJob = maxBatchOperations - 2;
/** A batch request may be 4 MiB; leave room for the multipart framing. */
const maxBatchBytes = 4 * 1024 * 1024 - 64 * 1024;

interface Rows {
  job: Entity;
  steps: Entity[];
  event: Entity;
}

/** The creation's `admit` said no; nothing is left written. */
export class AdmissionRefusedError extends Error {
  override readonly name = "AdmissionRefusedError";
  constructor() {
    super("The command was not admitted");
  }
}

export interface CreateOptions {
  /** Called once the key is won, before the job is written; false refuses the command. @default always admitted */
  admit?: () => Promise<boolean>;
}

export async function createJob(
  ctx: LedgerContext,
  job: NewJob,
  steps: readonly NewStep[],
  claim: IdempotencyClaim,
  opts: CreateOptions = {},
): Promise<CreateJobResult> {
  validateSteps(steps);
  const tenantPk = tenantPartition(job.tenant_id);
  const createdAt = ctx.now();
  const jobId = job.job_id ?? randomUUID();
  const reservation: Reservation = {
    job_id: jobId,
    listing_rk: listingRowKey(createdAt.getTime(), jobId),
    body_hash: claim.bodyHash,
    created_at: createdAt.toISOString(),
  };
  // Built (and size-checked) before anything is written, so a rejected job leaves no trace.
  const rows = buildRows(job, steps, reservation);
  const reservationKey = idempotencyRowKey(claim.key);
  try {
    await submitTransaction(ctx.tables.tenantIndex, [
      ["create", reservationToEntity(reservation, claim.key, tenantPk, reservationKey)],
      ["create", listingToEntity({ job_id: jobId, active: true }, tenantPk, reservation.listing_rk)],
    ]);
  } catch (error) {
    if (!isConflict(error)) throw error;
    return settleExisting(ctx, job, steps, claim, tenantPk, reservationKey, opts);
  }
  if (!(await admitted(ctx, opts, tenantPk, reservationKey, reservation))) throw new AdmissionRefusedError();
  return { outcome: "created", job: await writeRows(ctx, rows, jobId) };
}

/** Asks `admit`; on a refusal (or a failure to decide) the reservation and listing row are taken back. */
async function admitted(ctx: LedgerContext, opts: CreateOptions, tenantPk: string, reservationKey: string, r: Reservation): Promise<boolean> {
  if (!opts.admit) return true;
  let ok = false;
  try {
    ok = await opts.admit();
  } finally {
    // No job row exists yet, and only this creation writes one for this reservation.
    if (!ok) {
      await submitTransaction(ctx.tables.tenantIndex, [
        ["delete", { partitionKey: tenantPk, rowKey: reservationKey }],
        ["delete", { partitionKey: tenantPk, rowKey: r.listing_rk }],
      ]);
    }
  }
  return ok;
}

/** The key was already reserved: replay, conflict, wait for the creator, or finish an abandoned creation. */
async function settleExisting(
  ctx: LedgerContext,
  job: NewJob,
  steps: readonly NewStep[],
  claim: IdempotencyClaim,
  tenantPk: string,
  reservationKey: string,
  opts: CreateOptions,
): Promise<CreateJobResult> {
  const deadline = Date.now() + ctx.tuning.replayWaitMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    const entity = await getOrUndefined(ctx.tables.tenantIndex, tenantPk, reservationKey);
    // Reservations are never deleted; if one vanished anyway, the caller's retry reserves afresh.
    if (!entity) throw new CreationInProgressError();
    const reservation = reservationFromEntity(entity);
    const existing = await ctx.readJob(reservation.job_id);
    if (reservation.body_hash !== claim.bodyHash) {
      return { outcome: "conflict", job_id: reservation.job_id, ...(existing ? { job: existing } : {}) };
    }
    if (existing) return { outcome: "replayed", job: existing };
    const age = ctx.now().getTime() - Date.parse(reservation.created_at);
    if (age >= ctx.tuning.reservationStaleMs) {
      const rows = buildRows(job, steps, reservation);
      if (!(await admitted(ctx, opts, tenantPk, reservationKey, reservation))) throw new AdmissionRefusedError();
      return { outcome: "created", job: await writeRows(ctx, rows, reservation.job_id) };
    }
    if (Date.now() >= deadline) throw new CreationInProgressError(reservation.job_id);
    await sleep(pause);
  }
}

/** The job's partition in one batch; the job's snapshot is kept, so its first transitions read nothing. */
async function writeRows(ctx: LedgerContext, rows: Rows, jobId: string): Promise<Job> {
  const actions: TransactionAction[] = [["create", rows.job], ...rows.steps.map((s): TransactionAction => ["create", s]), ["create", rows.event]];
  try {
    const response = await submitTransaction(ctx.tables.jobs, actions);
    const etags = response.subResponses.map((sub) => sub.etag);
    if (etags.length === actions.length && etags.every((etag) => etag)) {
      const withEtag = (entity: Entity, i: number): EntityResult => ({ ...entity, etag: etags[i]! });
      return ctx.remember(
        jobId,
        withEtag(rows.job, 0),
        rows.steps.map((s, i) => withEtag(s, i + 1)),
      ).job;
    }
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  // Someone else finished first (or the service sent no ETags): the stored rows are the truth.
  const stored = await ctx.readSnapshot(jobId);
  if (!stored) throw new CreationInProgressError(jobId);
  return stored.job;
}

function validateSteps(steps: readonly NewStep[]): void {
  if (steps.length === 0) throw new InvalidInputError("A job needs at least one step");
  if (steps.length > maxStepsPerJob) {
    throw new InvalidInputError(`A job may have at most ${maxStepsPerJob} steps, got ${steps.length}`);
  }
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.step_id)) throw new InvalidInputError(`Duplicate step_id "${step.step_id}"`);
    seen.add(step.step_id);
  }
}

function buildRows(job: NewJob, steps: readonly NewStep[], r: Reservation): Rows {
  const jobPk = jobPartition(r.job_id);
  const at = r.created_at;
  const jobRecord: Omit<Job, "etag"> = {
    job_id: r.job_id,
    tenant_id: job.tenant_id,
    request_type: job.request_type,
    protocol_id: job.protocol_id,
    state: JobState.QUEUED,
    mode: job.mode ?? JobMode.DEFAULT,
    input_ref: job.input_ref,
    output_ref: job.output_ref,
    payload: job.payload,
    ...optional(job, ["doc_id", "correlation_id", "traceparent", "schema_version", "deadline"]),
    step_count: steps.length,
    created_at: at,
    updated_at: at,
    redrive_count: 0,
  };
  const stepRows = steps.map((s, index) =>
    stepToEntity(
      {
        job_id: r.job_id,
        step_id: s.step_id,
        index,
        step_type: s.step_type,
        service: s.service,
        state: StepState.PENDING,
        attempt_no: 0,
        ...optional(s, ["max_attempts", "payload", "input_ref"]),
        created_at: at,
        updated_at: at,
      },
      jobPk,
      stepRowKey(index, s.step_id),
    ),
  );
  const event = eventToEntity(
    {
      job_id: r.job_id,
      type: EventType.JOB_CREATED,
      at,
      details: {
        tenant_id: job.tenant_id,
        request_type: job.request_type,
        protocol_id: job.protocol_id,
        step_ids: steps.map((s) => s.step_id),
        ...optional(job, ["correlation_id", "submitted_by", "deadline"]),
      },
    },
    jobPk,
    createdEventRowKey(Date.parse(at)),
  );
  const jobRow = jobToEntity(jobRecord, jobPk, jobRowKey);
  const batchBytes = stepRows.reduce((sum, e) => sum + entityBytes(e), entityBytes(jobRow) + entityBytes(event));
  if (batchBytes > maxBatchBytes) throw new EntityTooLargeError("steps", batchBytes, maxBatchBytes);
  return { job: jobRow, steps: stepRows, event };
}

function optional<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
  return out;
}
