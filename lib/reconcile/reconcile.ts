import { JobState, StepState, isLedgerError, LedgerErrorCode, type FailureInfo, type Job, type Ledger } from "../ledger/index.js";
import type { JobController } from "../intake/job-starter.js";
import { metrics, type Counter } from "@opentelemetry/api";
import { MetricNames } from "../config/names.js";
import { recordJobFinished } from "../telemetry/jobs.js";

/** What kind of disagreement a repair fixed. */
export const DriftKind = {
  orchestrationFailed: "orchestration_failed",
  orchestrationTerminated: "orchestration_terminated",
  orchestrationMissing: "orchestration_missing",
  neverStarted: "never_started",
  ledgerBehind: "ledger_behind",
  pauseMismatch: "pause_mismatch",
  /** A paused job's deadline passed: its orchestration is resumed, so its deadline timer can end it. */
  deadlinePassed: "deadline_passed",
  counter: "counter",
} as const;
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

export interface Repair {
  kind: DriftKind;
  job_id?: string;
  tenant_id?: string;
  details: Record<string, unknown>;
}

export interface ReconcileDependencies {
  ledger: Ledger;
  orchestrations: Pick<JobController, "status" | "ensureStarted" | "resume">;
  /** Jobs changed more recently than this are still settling and left alone. */
  graceSeconds: number;
  now?: () => Date;
}

/** The job outcome an orchestration reports in its output (see the job orchestrator's return value). */
interface OrchestrationOutput {
  state?: string;
  output_ref?: unknown;
  error?: FailureInfo;
}

let counter: Counter | undefined;
const driftRepaired = () =>
  (counter ??= metrics.getMeter("lucius").createCounter(MetricNames.driftRepaired, { description: "Drift the reconciler repaired, by kind" }));

const failure = (code: string, message: string): FailureInfo => ({ code, message });

/** Moves a stuck job to a terminal state and gives back its in-flight place; false if someone else moved it first. */
async function endJob(ledger: Ledger, job: Job, to: JobState, patch: { error?: FailureInfo; output_ref?: unknown }): Promise<boolean> {
  if (to !== JobState.SUCCEEDED) {
    // Active steps must leave their attempt so the job can be redriven from them.
    for (const step of await ledger.listSteps(job.job_id)) {
      // A step nobody was working on (backoff, a review) did not fail: it was stopped.
      const target = step.state === StepState.RETRY_WAIT || step.state === StepState.AWAITING_APPROVAL ? StepState.CANCELLED : StepState.FAILED;
      if (
        step.state === StepState.DISPATCHED ||
        step.state === StepState.ACKED ||
        step.state === StepState.RETRY_WAIT ||
        step.state === StepState.AWAITING_APPROVAL
      ) {
        await ledger.transitionStep(job.job_id, step.step_id, target, patch.error ? { error: patch.error } : {}).catch(ignoreIllegal);
      }
    }
  }
  if (job.state === JobState.PAUSED) await ledger.transitionJob(job.job_id, JobState.RUNNING).catch(ignoreIllegal);
  try {
    recordJobFinished(
      await ledger.transitionJob(
        job.job_id,
        to,
        { ...(patch as object), completed_at: new Date().toISOString(), current_step_id: null },
        { details: { repaired: true } },
      ),
    );
  } catch (error) {
    if (isLedgerError(error) && error.code === LedgerErrorCode.ILLEGAL_TRANSITION) return false;
    throw error;
  }
  await ledger.release(job.tenant_id);
  return true;
}

function ignoreIllegal(error: unknown): void {
  if (!(isLedgerError(error) && error.code === LedgerErrorCode.ILLEGAL_TRANSITION)) throw error;
}

/** Decides and applies the repair one job needs, if any. */
async function repairJob(deps: ReconcileDependencies, job: Job): Promise<Repair | undefined> {
  const status = await deps.orchestrations.status(job.job_id);
  const repair = (kind: DriftKind, details: Record<string, unknown>): Repair => ({ kind, job_id: job.job_id, tenant_id: job.tenant_id, details });
  if (!status) {
    if (job.state === JobState.QUEUED) {
      // Accepted but its start was lost: starting it now is the whole repair.
      await deps.orchestrations.ensureStarted({ job_id: job.job_id, tenant_id: job.tenant_id, protocol_id: job.protocol_id });
      return repair(DriftKind.neverStarted, { ledger_state: job.state });
    }
    const ended = await endJob(deps.ledger, job, job.state === JobState.CANCELLING ? JobState.CANCELLED : JobState.FAILED, {
      error: failure("ORCHESTRATION_MISSING", "The job's orchestration no longer exists (purged or lost); redrive to run it again"),
    });
    return ended ? repair(DriftKind.orchestrationMissing, { ledger_state: job.state }) : undefined;
  }
  switch (status.runtimeStatus) {
    case "Failed": {
      const ended = await endJob(deps.ledger, job, JobState.FAILED, {
        error: failure("ORCHESTRATION_FAILED", String(status.output ?? "The orchestration failed")),
      });
      return ended ? repair(DriftKind.orchestrationFailed, { ledger_state: job.state }) : undefined;
    }
    case "Terminated": {
      const to = job.state === JobState.CANCELLING ? JobState.CANCELLED : JobState.FAILED;
      const ended = await endJob(deps.ledger, job, to, {
        error: failure("ORCHESTRATION_TERMINATED", `The orchestration was terminated: ${String(status.output ?? "")}`),
      });
      return ended ? repair(DriftKind.orchestrationTerminated, { ledger_state: job.state }) : undefined;
    }
    case "Completed": {
      const output = (status.output ?? {}) as OrchestrationOutput;
      const to = output.state === JobState.SUCCEEDED || output.state === JobState.CANCELLED ? output.state : JobState.FAILED;
      const ended = await endJob(deps.ledger, job, to, {
        ...(output.output_ref !== undefined ? { output_ref: output.output_ref } : {}),
        ...(to === JobState.FAILED
          ? { error: output.error ?? failure("ORCHESTRATION_COMPLETED", "The orchestration ended without recording the job's outcome") }
          : {}),
      });
      return ended ? repair(DriftKind.ledgerBehind, { ledger_state: job.state, orchestration_state: output.state ?? null }) : undefined;
    }
    case "Suspended":
      if (job.state !== JobState.RUNNING) return undefined;
      await deps.ledger.transitionJob(job.job_id, JobState.PAUSED, undefined, { details: { repaired: true } });
      return repair(DriftKind.pauseMismatch, { ledger_state: job.state, orchestration_state: "Suspended" });
    case "Running":
    case "Pending":
      if (job.state !== JobState.PAUSED) return undefined;
      await deps.ledger.transitionJob(job.job_id, JobState.RUNNING, undefined, { details: { repaired: true } });
      return repair(DriftKind.pauseMismatch, { ledger_state: job.state, orchestration_state: status.runtimeStatus });
    default:
      return undefined;
  }
}

/**
 * A suspended orchestration hears no timer, so a paused job would outlive its deadline: resumed,
 * its deadline timer (already due) fires and the job ends FAILED with DEADLINE_EXCEEDED.
 */
async function resumePastDeadline(deps: ReconcileDependencies, job: Job, now: number): Promise<Repair | undefined> {
  if (job.state !== JobState.PAUSED || job.deadline === undefined || Date.parse(job.deadline) > now) return undefined;
  const status = await deps.orchestrations.status(job.job_id);
  if (status?.runtimeStatus !== "Suspended") return undefined;
  await deps.orchestrations.resume(job.job_id, `deadline ${job.deadline} passed while paused`);
  return { kind: DriftKind.deadlinePassed, job_id: job.job_id, tenant_id: job.tenant_id, details: { deadline: job.deadline } };
}

/**
 * One reconciler run: every job the ledger holds in flight is compared with
 * its orchestration, and every in-flight counter with the jobs really in
 * flight. Each repair is recorded in the job's events and counted. Jobs that
 * changed within the grace period are still moving and are left alone.
 */
export async function reconcile(deps: ReconcileDependencies): Promise<{ examined: number; repairs: Repair[] }> {
  const now = (deps.now ?? (() => new Date()))().getTime();
  const repairs: Repair[] = [];
  const inFlight = new Map<string, number>();
  let examined = 0;
  for await (const job of deps.ledger.activeJobs()) {
    examined++;
    const settling = now - Date.parse(job.updated_at) < deps.graceSeconds * 1000;
    // A deadline does not wait for the grace period: it is the job's own limit.
    const repair = (await resumePastDeadline(deps, job, now)) ?? (settling ? undefined : await repairJob(deps, job));
    if (repair) repairs.push(repair);
    const stillInFlight =
      !repair || repair.kind === DriftKind.neverStarted || repair.kind === DriftKind.pauseMismatch || repair.kind === DriftKind.deadlinePassed;
    if (stillInFlight) inFlight.set(job.tenant_id, (inFlight.get(job.tenant_id) ?? 0) + 1);
  }
  repairs.push(...(await repairCounters(deps.ledger, inFlight)));
  for (const repair of repairs) {
    driftRepaired().add(1, { kind: repair.kind });
    if (repair.job_id) await deps.ledger.appendEvent(repair.job_id, { type: "DRIFT_REPAIRED", details: { kind: repair.kind, ...repair.details } });
  }
  return { examined, repairs };
}

async function repairCounters(ledger: Ledger, inFlight: Map<string, number>): Promise<Repair[]> {
  const stored = await ledger.readInFlightCounters();
  const repairs: Repair[] = [];
  const tenants = new Set([...stored.tenants.keys(), ...inFlight.keys()]);
  for (const tenant of tenants) {
    const actual = inFlight.get(tenant) ?? 0;
    const counted = stored.tenants.get(tenant) ?? 0;
    if (actual === counted) continue;
    await ledger.setInFlight(tenant, actual);
    repairs.push({ kind: DriftKind.counter, tenant_id: tenant, details: { counted, actual } });
  }
  const total = [...inFlight.values()].reduce((sum, n) => sum + n, 0);
  if (total !== stored.global) {
    await ledger.setInFlight(undefined, total);
    repairs.push({ kind: DriftKind.counter, details: { scope: "global", counted: stored.global, actual: total } });
  }
  return repairs;
}
