import { randomUUID } from "node:crypto";
import { notInLedger } from "../errors.js";
import type { AppServices } from "../../services.js";
import type { Directive, Ref } from "../../contracts/index.js";
import { StepState, isCancelledJobState, type Decision, type Job, type JobChange, type JobSnapshot, type Step, type StepChange } from "../../ledger/index.js";
import type { Settings } from "../../config/settings.js";
import { route } from "../../routing.js";
import type { AttemptStart, CarriedSettle, DispatchedAttempt } from "../types.js";
import { attemptTraceOf, recordAttemptDispatched, recordDispatchDeferred } from "../../telemetry/attempts.js";
import { pathSegment } from "../../refs/tenant-places.js";
import { recordSettled, settleChange, settlementOnly } from "./settle.js";
import { publishMessage } from "./publish.js";

/** `bus` publishes with `dispatch`; without one the orchestration publishes. */
export type Services = Pick<AppServices, "ledger" | "settings"> & Partial<Pick<AppServices, "bus">>;

export interface BeginAttemptRequest {
  job_id: string;
  step_id: string;
  /** The attempt the orchestration is starting; makes the activity safe to run twice. */
  attempt_no: number;
  input_ref: Ref;
  lease_ms: number;
  /** True for the protocol's last step, whose output is the job's output_ref. */
  last: boolean;
  /** The previous step's settlement, written in the same batch (orchestration v2 on). */
  settle?: CarriedSettle;
  /**
   * Publish the directive here and keep the attempt's ACK in the ledger only (orchestration v3 on).
   * @default false: the orchestration publishes it and hears the ACK as an event
   */
  dispatch?: boolean;
}

function directiveFor(job: Job, step: Step, request: BeginAttemptRequest, workspaceUri: string): Directive {
  // The job's workspace is in its tenant's place: workspaces/<tenant>/<job_id>/ (docs/runbook.md, "Tenant places").
  const workspace = `${workspaceUri}/${encodeURIComponent(pathSegment(job.tenant_id))}/${encodeURIComponent(pathSegment(job.job_id))}/`;
  return {
    type: "DIRECTIVE",
    job_id: job.job_id,
    tenant_id: job.tenant_id,
    step_id: step.step_id,
    step_type: step.step_type,
    protocol_id: job.protocol_id,
    attempt_no: step.attempt_no,
    lease_id: step.lease_id!,
    lease_expires_at: step.lease_expires_at!,
    input_ref: request.input_ref,
    workspace_ref: workspace,
    output_ref: request.last ? job.output_ref : `${workspace}${encodeURIComponent(step.step_id)}/`,
    payload: step.payload ?? {},
    mode: job.mode,
    lane: step.lane!,
    routing_key_used: step.routing_key_used!,
    ...(job.correlation_id ? { correlation_id: job.correlation_id } : {}),
    ...(job.traceparent ? { traceparent: job.traceparent } : {}),
  };
}

/** How an attempt's opening was decided against the job's rows. */
export type AttemptOpening =
  /** The attempt is open already (the activity ran twice): the recorded attempt stands. */
  | { outcome: "open" }
  /** The job is being cancelled: nothing is dispatched. */
  | { outcome: "cancelled" }
  /** Step → DISPATCHED with a fresh lease, and the job's current step. */
  | { outcome: "dispatched"; step: StepChange; job: JobChange };

/**
 * Decides the opening of `request`'s attempt from the job's rows: the step's change and the
 * job's, for a batch of their own or of the activity that carries them (`startJob` from v5).
 */
export function openAttempt(snapshot: JobSnapshot, request: BeginAttemptRequest, lanes: Settings["lanes"], now: Date): AttemptOpening {
  const current = snapshot.steps.find((s) => s.step_id === request.step_id);
  if (!current) throw notInLedger(`Step ${request.job_id}/${request.step_id}`);
  // Both facts stay true however stale the rows: an attempt once opened keeps its number, a cancel is never undone.
  const alreadyOpen = current.attempt_no === request.attempt_no && current.lease_id !== undefined && current.state !== StepState.RETRY_WAIT;
  if (alreadyOpen) return { outcome: "open" };
  if (isCancelledJobState(snapshot.job.state)) return { outcome: "cancelled" };
  const routing = route(snapshot.job, lanes);
  const patch = {
    attempt_no: request.attempt_no,
    lease_id: randomUUID(),
    lease_expires_at: new Date(now.getTime() + request.lease_ms).toISOString(),
    lease_ms: request.lease_ms,
    routing_key_used: routing.routing_key_used,
    lane: routing.lane,
    input_ref: request.input_ref,
    dispatched_at: now.toISOString(),
    acked_at: null,
    ...(request.dispatch ? { ack_event: false } : {}),
    error: null,
  };
  return { outcome: "dispatched", step: { step_id: request.step_id, to: StepState.DISPATCHED, patch }, job: { patch: { current_step_id: request.step_id } } };
}

/**
 * Opens one attempt of a step: a fresh lease (made here, not in the
 * orchestrator, so replay stays deterministic), routing computed once and
 * recorded, step → DISPATCHED and the job's current step, in one batch, with
 * the previous step's settlement when the request carries it. If this attempt
 * was already opened (the activity ran twice), the recorded attempt is
 * returned unchanged. A cancelled job gets the settlement and no dispatch.
 *
 * With `dispatch`, the directive is published once the attempt is written — again when the
 * activity runs twice, since the first run may have stopped between the two; its messageId lets
 * duplicate detection drop the copy. A publish that fails is left to the orchestration's
 * `publishMessage` and its retries, so a bus outage costs no ledger write.
 */
export async function beginAttempt(request: BeginAttemptRequest, services: Services): Promise<AttemptStart> {
  const now = new Date();
  const applied = await services.ledger.change(request.job_id, (snapshot): Decision<{ outcome: AttemptOpening["outcome"]; settled: boolean }> => {
    const settle = request.settle ? settleChange(snapshot, request.settle, now.toISOString()) : undefined;
    const opening = openAttempt(snapshot, request, services.settings.lanes, now);
    if (opening.outcome !== "dispatched") return settlementOnly(settle, { outcome: opening.outcome });
    return {
      change: { steps: settle ? [settle, opening.step] : [opening.step], job: [opening.job] },
      result: { outcome: "dispatched", settled: settle !== undefined },
    };
  });
  if (!applied) throw notInLedger(`Job ${request.job_id}`);
  if (applied.result.settled) recordSettled(applied.snapshot, request.settle!);
  if (applied.result.outcome === "cancelled") return { kind: "cancelled" };
  return attemptStarted(applied.snapshot, request, applied.result.outcome === "dispatched", services);
}

/**
 * The opened attempt as the orchestration gets it, once its rows are written: its directive,
 * published here with `dispatch`. `dispatched` (this write opened it) counts and traces it once.
 */
export async function attemptStarted(snapshot: JobSnapshot, request: BeginAttemptRequest, dispatched: boolean, services: Services): Promise<DispatchedAttempt> {
  const { job } = snapshot;
  const step = snapshot.steps.find((s) => s.step_id === request.step_id)!;
  if (dispatched) recordAttemptDispatched(step, attemptTraceOf(job));
  const directive = directiveFor(job, step, request, services.settings.workspaceUri);
  if (!request.dispatch) return { kind: "dispatched", directive };
  return { kind: "dispatched", directive, published: await published(directive, step, services), ack_event: step.ack_event !== false };
}

async function published(directive: Directive, step: Step, { bus }: Services): Promise<boolean> {
  if (!bus) return false;
  try {
    await publishMessage(directive, { bus });
    return true;
  } catch (error) {
    recordDispatchDeferred(step, attemptTraceOf(directive), error);
    return false;
  }
}
