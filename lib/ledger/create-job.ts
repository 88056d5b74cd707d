/**
 * Exactly-once job creation (DESIGN §5 idempotency).
 *
 * 1. Insert the idempotency reservation (tenant partition, hashed key) naming
 *    a fresh job_id and the job's row key. The insert is the arbiter: exactly
 *    one concurrent caller succeeds.
 * 2. The winner writes, in one batch, the job's locator and its PENDING steps
 *    (they share the job's partition of the steps table), and in parallel the
 *    JOB_CREATED event; then
 * 3. the QUEUED job row — the commit point. Both `getJob` and `listJobs` need
 *    the job row, so a job is never visible without its steps.
 *
 * Every write is an insert whose 409 is accepted as "already written": the
 * rows of one job_id are only ever written from one reservation, for one body
 * hash, so existing rows are identical. That is what lets a retry finish a
 * creation that crashed after step 1 — with the same job_id — and lets a
 * completion race with a slow-but-alive original harmlessly. There is no
 * "mark complete" write: the job row's existence is the completion mark.
 */
import { randomUUID } from "node:crypto";
import type { TransactionAction } from "@azure/data-tables";
import { JobState, StepState } from "./states.js";
import { CreationInProgressError, EntityTooLargeError, InvalidInputError } from "./errors.js";
import {
  createdEventRowKey,
  idempotencyRowKey,
  jobPartition,
  jobRowKey,
  locatorRowKey,
  stepRowKey,
  tenantPartition,
} from "./keys.js";
import { entityBytes } from "./entity-size.js";
import {
  eventToEntity,
  jobFromEntity,
  jobToEntity,
  reservationFromEntity,
  reservationToEntity,
  stepToEntity,
  type Entity,
  type Reservation,
} from "./mapping.js";
import { getOrUndefined, sleep, type LedgerContext } from "./context.js";
import { isConflict } from "./tables.js";
import { EventType, JobMode, type CreateJobResult, type IdempotencyClaim, type Job, type NewJob, type NewStep } from "./types.js";

/** A batch holds at most 100 operations; one is the locator. */
export const maxStepsPerJob = 99;
/** A batch request may be 4 MiB; leave room for the multipart framing. */
const maxBatchBytes = 4 * 1024 * 1024 - 64 * 1024;

interface Rows {
  job: Entity;
  locator: Entity;
  steps: Entity[];
  event: Entity;
}

export async function createJob(
  ctx: LedgerContext,
  job: NewJob,
  steps: readonly NewStep[],
  claim: IdempotencyClaim,
): Promise<CreateJobResult> {
  validateSteps(steps);
  const tenantPk = tenantPartition(job.tenant_id);
  const createdAt = ctx.now();
  const jobId = job.job_id ?? randomUUID();
  const reservation: Reservation = {
    job_id: jobId,
    job_rk: jobRowKey(createdAt.getTime(), jobId),
    body_hash: claim.bodyHash,
    created_at: createdAt.toISOString(),
  };
  // Built (and size-checked) before anything is written, so a rejected job leaves no trace.
  const rows = buildRows(job, steps, reservation, tenantPk);
  const reservationKey = idempotencyRowKey(claim.key);
  try {
    await ctx.tables.idempotency.createEntity(reservationToEntity(reservation, claim.key, tenantPk, reservationKey));
  } catch (error) {
    if (!isConflict(error)) throw error;
    return settleExisting(ctx, job, steps, claim, tenantPk, reservationKey);
  }
  return { outcome: "created", job: await writeRows(ctx, rows, reservation, job.tenant_id, tenantPk) };
}

/** The key was already reserved: replay, conflict, wait for the creator, or finish an abandoned creation. */
async function settleExisting(
  ctx: LedgerContext,
  job: NewJob,
  steps: readonly NewStep[],
  claim: IdempotencyClaim,
  tenantPk: string,
  reservationKey: string,
): Promise<CreateJobResult> {
  const deadline = Date.now() + ctx.tuning.replayWaitMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    const entity = await getOrUndefined(ctx.tables.idempotency, tenantPk, reservationKey);
    // Reservations are never deleted; if one vanished anyway, the caller's retry reserves afresh.
    if (!entity) throw new CreationInProgressError();
    const reservation = reservationFromEntity(entity);
    const existing = await ctx.readJobAt({ job_pk: tenantPk, job_rk: reservation.job_rk });
    if (reservation.body_hash !== claim.bodyHash) {
      return { outcome: "conflict", job_id: reservation.job_id, ...(existing ? { job: existing } : {}) };
    }
    if (existing) return { outcome: "replayed", job: existing };
    const age = ctx.now().getTime() - Date.parse(reservation.created_at);
    if (age >= ctx.tuning.reservationStaleMs) {
      const rows = buildRows(job, steps, reservation, tenantPk);
      return { outcome: "created", job: await writeRows(ctx, rows, reservation, job.tenant_id, tenantPk) };
    }
    if (Date.now() >= deadline) throw new CreationInProgressError(reservation.job_id);
    await sleep(pause);
  }
}

async function writeRows(
  ctx: LedgerContext,
  rows: Rows,
  reservation: Reservation,
  tenantId: string,
  tenantPk: string,
): Promise<Job> {
  const batch: TransactionAction[] = [["create", rows.locator], ...rows.steps.map((s): TransactionAction => ["create", s])];
  await Promise.all([
    insertOnce(() => ctx.tables.steps.submitTransaction(batch)),
    insertOnce(() => ctx.tables.events.createEntity(rows.event)),
  ]);
  ctx.rememberLocator(reservation.job_id, { tenant_id: tenantId, job_pk: tenantPk, job_rk: reservation.job_rk });
  for (const step of rows.steps) ctx.rememberStepRow(reservation.job_id, String(step.step_id), step.rowKey);
  try {
    const { etag } = await ctx.tables.jobs.createEntity(rows.job);
    if (etag) return jobFromEntity({ ...rows.job, etag });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  // Someone else finished first (or the service sent no ETag): the stored row is the truth.
  const stored = await ctx.readJobAt({ job_pk: tenantPk, job_rk: reservation.job_rk });
  if (!stored) throw new CreationInProgressError(reservation.job_id);
  return stored;
}

async function insertOnce(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
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

function buildRows(job: NewJob, steps: readonly NewStep[], r: Reservation, tenantPk: string): Rows {
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
    ...optional(job, ["doc_id", "correlation_id", "traceparent", "schema_version"]),
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
  const locator: Entity = {
    partitionKey: jobPk,
    rowKey: locatorRowKey,
    tenant_id: job.tenant_id,
    job_pk: tenantPk,
    job_rk: r.job_rk,
    created_at: at,
  };
  const batchBytes = stepRows.reduce((sum, e) => sum + entityBytes(e), entityBytes(locator));
  if (batchBytes > maxBatchBytes) throw new EntityTooLargeError("steps", batchBytes, maxBatchBytes);
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
        ...optional(job, ["correlation_id", "submitted_by"]),
      },
    },
    jobPk,
    createdEventRowKey(Date.parse(at)),
  );
  return { job: jobToEntity(jobRecord, tenantPk, r.job_rk), locator, steps: stepRows, event };
}

function optional<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
  return out;
}
