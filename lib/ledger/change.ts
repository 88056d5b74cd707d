/**
 * One state change of a job = one conditional entity-group transaction.
 *
 * A job's row, its steps and its events share the job's partition, so whatever
 * must change together — a step, its STEP_STATE_CHANGED event, the job row,
 * the next step's dispatch — is written by one batch: every changed row
 * carries the ETag it was decided on (If-Match) and every event is an insert.
 * A stale ETag fails the whole batch with 412 and writes nothing; the rows are
 * then read afresh and the change decided again (the decision may now be a
 * refusal). No crash can leave a step without its event, or the reverse.
 *
 * Decisions start from the rows this process last read or wrote (its
 * snapshot), so the common path reads nothing: a write made from a snapshot
 * another process has changed meets a 412 and is decided again on fresh rows.
 * A refusal, or a decision to write nothing, is trusted only on fresh rows —
 * unless the decision says it rests on facts that never revert (`settled`).
 */
import { ConcurrentUpdateError, IllegalTransitionError, NotFoundError, StaleAttemptError, isLedgerError } from "./errors.js";
import { canTransitionJob, canTransitionStep, isTerminalJobState, isTerminalStepState, JobState, StepState } from "./states.js";
import { jobPartition, jobRowKey, stepRowKey } from "./keys.js";
import { eventToEntity, jobToEntity, stepToEntity, type Entity } from "./mapping.js";
import { sleep, type JobSnapshot, type LedgerContext } from "./context.js";
import { isConflict, isPreconditionFailed } from "./tables.js";
import { writeRows, type RowWrite } from "./row-writes.js";
import { EventType, type Job, type JobPatch, type JsonObject, type NewEvent, type Step, type StepPatch } from "./types.js";

export interface JobChange {
  /** Undefined: a patch without a state change (refused once the job is terminal). */
  to?: JobState;
  patch?: JobPatch;
  /** Recorded on the JOB_STATE_CHANGED event. */
  details?: JsonObject;
}

export interface StepChange {
  step_id: string;
  /** Undefined: a patch without a state change (refused once the step is terminal). */
  to?: StepState;
  patch?: StepPatch;
  /** The attempt the caller acts on; another current attempt is a StaleAttemptError. */
  expect?: { attempt_no: number; lease_id: string };
  details?: JsonObject;
}

export interface Change {
  /** Job moves in order (e.g. PAUSED → RUNNING → SUCCEEDED), each with its event. */
  job?: JobChange[];
  steps?: StepChange[];
  /** A step whose REPLY_IGNORED count goes up by one (bookkeeping on its row, allowed in any state). */
  ignoredReplyOf?: string;
  /** Further events, e.g. REPLY_IGNORED. */
  events?: NewEvent[];
}

export interface Decision<R> {
  change?: Change;
  result: R;
  /** A write-nothing decision that stays true however stale the rows it rests on (e.g. "already terminal"). */
  settled?: boolean;
}

export interface Applied<R> {
  result: R;
  snapshot: JobSnapshot;
  /** Whether anything was written. */
  wrote: boolean;
}

/**
 * Decides on the job's rows and writes the decision in one batch; undefined when there is no
 * such job. `decide` must not write; it may throw a ledger refusal.
 */
export function applyChange<R>(
  ctx: LedgerContext,
  jobId: string,
  decide: (snapshot: JobSnapshot) => Decision<R>,
  opts: { fresh?: boolean } = {},
): Promise<Applied<R> | undefined> {
  return ctx.inTurn(jobId, () => decideAndWrite(ctx, jobId, decide, opts));
}

async function decideAndWrite<R>(
  ctx: LedgerContext,
  jobId: string,
  decide: (snapshot: JobSnapshot) => Decision<R>,
  opts: { fresh?: boolean },
): Promise<Applied<R> | undefined> {
  let fresh = opts.fresh ?? false;
  for (let attempt = 1; attempt <= ctx.tuning.maxWriteAttempts; attempt++) {
    const cached = !fresh && ctx.known(jobId) !== undefined;
    const snapshot = await ctx.snapshot(jobId, { fresh });
    if (!snapshot) return undefined;
    let decision: Decision<R>;
    let built: Built | undefined;
    try {
      decision = decide(snapshot);
      built = decision.change ? build(ctx, snapshot, decision.change) : undefined;
    } catch (error) {
      if (cached && isLedgerError(error)) {
        fresh = true;
        continue;
      }
      throw error;
    }
    if (!built) {
      if (cached && !decision.settled) {
        fresh = true;
        continue;
      }
      return { result: decision.result, snapshot, wrote: false };
    }
    try {
      const etags = await writeRows(ctx.tables.jobs, built.writes);
      const after = built.after(etags);
      // Without every new ETag the next decision must read afresh.
      if (built.writes.some((w) => w.kind === "update" && !etags.has(w.entity.rowKey))) ctx.forget(jobId);
      else ctx.store(jobId, after);
      return { result: decision.result, snapshot: after, wrote: true };
    } catch (error) {
      if (isPreconditionFailed(error)) {
        fresh = true;
        // Jitter spreads writers that collided so the next round is not a repeat.
        await sleep(Math.floor(Math.random() * 5 * attempt));
        continue;
      }
      // 409: an event key collided (same millisecond, sequence and random part); new keys are drawn.
      if (isConflict(error)) continue;
      // No answer: the batch may or may not have landed, so the snapshot can no longer be trusted.
      ctx.forget(jobId);
      throw error;
    }
  }
  // The last write met a 412: what this process holds is stale, so the caller's retry reads afresh.
  ctx.forget(jobId);
  throw new ConcurrentUpdateError("job", jobId, ctx.tuning.maxWriteAttempts);
}

interface Built {
  writes: RowWrite[];
  after: (etags: Map<string, string>) => JobSnapshot;
}

function build(ctx: LedgerContext, snapshot: JobSnapshot, change: Change): Built | undefined {
  const now = ctx.nowIso();
  const partition = jobPartition(snapshot.job.job_id);
  const events: Entity[] = [];
  const addEvent = (event: NewEvent) => {
    events.push(eventToEntity({ ...event, job_id: snapshot.job.job_id, at: now }, partition, ctx.nextEventKey()));
  };

  let job = snapshot.job;
  // A job ends because of its steps: the move to a terminal state goes on the timeline after the step changes beside it.
  const endings: NewEvent[] = [];
  for (const move of change.job ?? []) {
    const next = changedJob(job, move.to, move.patch ?? {}, now);
    if (move.to !== undefined) {
      const event = { type: EventType.JOB_STATE_CHANGED, details: { from: job.state, to: move.to, ...changedFields(move.patch ?? {}), ...move.details } };
      if (isTerminalJobState(move.to)) endings.push(event);
      else addEvent(event);
    }
    job = next;
  }

  const steps = new Map(snapshot.steps.map((s) => [s.step_id, s]));
  const changedSteps = new Set<string>();
  for (const sc of change.steps ?? []) {
    const current = steps.get(sc.step_id);
    if (!current) throw new NotFoundError("step", `${snapshot.job.job_id}/${sc.step_id}`);
    if (sc.expect && (current.attempt_no !== sc.expect.attempt_no || current.lease_id !== sc.expect.lease_id)) {
      throw new StaleAttemptError(sc.expect, { attempt_no: current.attempt_no, lease_id: current.lease_id });
    }
    const next = changedStep(current, sc.to, sc.patch ?? {}, now);
    if (sc.to !== undefined) {
      addEvent({
        type: EventType.STEP_STATE_CHANGED,
        step_id: sc.step_id,
        attempt_no: next.attempt_no,
        details: { from: current.state, to: sc.to, ...changedFields(sc.patch ?? {}), ...sc.details },
      });
    }
    steps.set(sc.step_id, next);
    changedSteps.add(sc.step_id);
  }
  endings.forEach(addEvent);

  const ignored = new Map(snapshot.ignoredReplies);
  if (change.ignoredReplyOf !== undefined) {
    if (!steps.has(change.ignoredReplyOf)) throw new NotFoundError("step", `${snapshot.job.job_id}/${change.ignoredReplyOf}`);
    ignored.set(change.ignoredReplyOf, (ignored.get(change.ignoredReplyOf) ?? 0) + 1);
    changedSteps.add(change.ignoredReplyOf);
  }
  for (const event of change.events ?? []) addEvent(event);

  const writes: RowWrite[] = [];
  const jobChanged = job !== snapshot.job;
  if (jobChanged) writes.push({ kind: "update", entity: jobToEntity(job, partition, jobRowKey), etag: snapshot.job.etag });
  for (const stepId of changedSteps) {
    const step = steps.get(stepId)!;
    const entity = stepToEntity(step, partition, stepRowKey(step.index, step.step_id), ignored.get(stepId));
    writes.push({ kind: "update", entity, etag: snapshot.steps.find((s) => s.step_id === stepId)!.etag });
  }
  for (const event of events) writes.push({ kind: "create", entity: event });
  if (writes.length === 0) return undefined;

  return {
    writes,
    after: (etags) => ({
      job: jobChanged ? { ...job, etag: etags.get(jobRowKey) ?? "" } : job,
      steps: snapshot.steps.map((s) => {
        if (!changedSteps.has(s.step_id)) return s;
        const step = steps.get(s.step_id)!;
        return { ...step, etag: etags.get(stepRowKey(step.index, step.step_id)) ?? "" };
      }),
      ignoredReplies: ignored,
    }),
  };
}

/** Applies a patch: `undefined` leaves a field, `null` removes it. */
function applyPatch<T extends object>(base: T, patch: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/** The job as a change leaves it; an illegal move throws IllegalTransitionError. */
export function changedJob(current: Job, to: JobState | undefined, patch: JobPatch, now: string): Job {
  const target = to ?? current.state;
  if (to === undefined ? isTerminalJobState(current.state) : !canTransitionJob(current.state, to)) {
    throw new IllegalTransitionError("job", current.state, target, to === undefined ? "terminal states are immutable" : undefined);
  }
  const next = applyPatch({ ...current, state: target, updated_at: now }, patch);
  if (target === JobState.RUNNING && !next.started_at) next.started_at = now;
  if (isTerminalJobState(target) && !next.completed_at) next.completed_at = now;
  return next;
}

/** The step as a change leaves it; an illegal move throws IllegalTransitionError. */
export function changedStep(current: Step, to: StepState | undefined, patch: StepPatch, now: string): Step {
  const target = to ?? current.state;
  if (to === undefined ? isTerminalStepState(current.state) : !canTransitionStep(current.state, to)) {
    throw new IllegalTransitionError("step", current.state, target, to === undefined ? "terminal states are immutable" : undefined);
  }
  const next = applyPatch({ ...current, state: target, updated_at: now }, patch);
  if (to === StepState.DISPATCHED) {
    // A dispatch starts a new attempt under a new lease; the ledger numbers attempts itself.
    const attempt = current.attempt_no + 1;
    if (patch.attempt_no !== undefined && patch.attempt_no !== attempt) {
      throw new IllegalTransitionError("step", current.state, target, `the next attempt is ${attempt}, not ${patch.attempt_no}`);
    }
    if (!patch.lease_id || patch.lease_id === current.lease_id) {
      throw new IllegalTransitionError("step", current.state, target, "a dispatch needs a new lease_id");
    }
    next.attempt_no = attempt;
    next.dispatched_at = patch.dispatched_at ?? now;
    if (patch.acked_at === undefined) delete next.acked_at;
    if (patch.ack_event === undefined) delete next.ack_event;
    if (patch.result_received_at === undefined) delete next.result_received_at;
  } else if (patch.attempt_no !== undefined && patch.attempt_no !== current.attempt_no) {
    throw new IllegalTransitionError("step", current.state, target, "attempt_no changes only on dispatch");
  }
  if (to === StepState.ACKED && !next.acked_at) next.acked_at = now;
  if (to !== undefined && isTerminalStepState(to) && !next.completed_at) next.completed_at = now;
  return next;
}

/** What the transition set (or cleared, as null), for the audit timeline. */
export function changedFields(patch: object): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) out[key] = value;
  return out;
}
