import { messageBody } from "../bus/messages.js";
import type { Contracts, Reply } from "../contracts/index.js";
import { StepState, isTerminalJobState, isTerminalStepState, type Decision, type Job, type JobSnapshot, type Ledger, type Step } from "../ledger/index.js";
import { stepTiming } from "../orchestration/step-timing.js";
import type { RaisedReply } from "../orchestration/types.js";
import { RecentKeys } from "./recent-keys.js";
import type { StepDefaults } from "../config/settings.js";
import { recordAck } from "../telemetry/attempts.js";
import { recordReplyIgnored, traceReply } from "../telemetry/replies.js";

/** Why a valid reply changed nothing. */
export const ReplyIgnoredReason = {
  unknownStep: "unknown_step",
  staleAttempt: "stale_attempt",
  staleLease: "stale_lease",
  stepFinished: "step_finished",
  duplicate: "duplicate",
  notExpected: "not_expected",
  orchestrationGone: "orchestration_gone",
} as const;
export type ReplyIgnoredReason = (typeof ReplyIgnoredReason)[keyof typeof ReplyIgnoredReason];

export type ReplyOutcome =
  /** Not a reply.v1 message: dead-letter it with this reason. */
  { kind: "invalid"; reason: string; description: string } | { kind: "ignored"; reason: ReplyIgnoredReason } | { kind: "applied"; type: Reply["type"] };

export interface ReplyDependencies {
  contracts: Contracts;
  ledger: Ledger;
  stepDefaults: StepDefaults;
  /** Hands an ACK or RESULT to the job's orchestration; false when it no longer runs. */
  notify(reply: RaisedReply): Promise<boolean>;
  /** `REPLY_IGNORED` events kept per step; past it ignored replies are only counted. @default {@link defaultIgnoredEventsPerStep} */
  ignoredEventsPerStep?: number;
}

/** @default 20: enough to diagnose a misbehaving worker, too few for a flood of forged replies to grow a job's timeline. */
export const defaultIgnoredEventsPerStep = 20;

/**
 * Records an ignored reply on its step's timeline: one batch of the REPLY_IGNORED event and the
 * step's count of them, kept on the step row, so the bound costs no read of the timeline.
 */
async function ignore(deps: ReplyDependencies, reply: Reply, reason: ReplyIgnoredReason, step?: Step): Promise<ReplyOutcome> {
  recordReplyIgnored(reply, reason);
  const bound = deps.ignoredEventsPerStep ?? defaultIgnoredEventsPerStep;
  if (step) {
    await deps.ledger.change(reply.job_id, (snapshot) => {
      // The count only grows, so a full count on a stale snapshot is still full.
      if ((snapshot.ignoredReplies.get(reply.step_id) ?? 0) >= bound) return { result: undefined, settled: true };
      return {
        change: {
          ignoredReplyOf: reply.step_id,
          events: [
            {
              type: "REPLY_IGNORED",
              step_id: reply.step_id,
              attempt_no: reply.attempt_no,
              details: { reason, reply_type: reply.type, lease_id: reply.lease_id, current_attempt_no: step.attempt_no, step_state: step.state },
            },
          ],
        },
        result: undefined,
      };
    });
  }
  return { kind: "ignored", reason };
}

export async function handleReply(body: unknown, deps: ReplyDependencies): Promise<ReplyOutcome> {
  const validation = deps.contracts.validateReply(messageBody(body));
  if (!validation.ok) {
    return { kind: "invalid", reason: "InvalidReply", description: validation.errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ") };
  }
  const reply = validation.value;
  return traceReply(reply, () => apply(reply, deps));
}

/** What the reply means for its step, decided on the job's rows. */
type Verdict =
  | { kind: "ignore"; reason: ReplyIgnoredReason; step?: Step }
  /** A copy of a reply whose ledger effect is already there. */
  | { kind: "redelivered"; step: Step }
  | { kind: "applied"; step: Step; at: Date };

/**
 * Decides on the job's rows and writes the effect in one conditional batch: when a concurrent
 * reply (e.g. the ACK beside its RESULT) changed the step first, the ledger reads it again and
 * decides anew. The rows are the ones this process last saw, so the common case reads nothing.
 */
async function apply(reply: Reply, deps: ReplyDependencies): Promise<ReplyOutcome> {
  const applied = await deps.ledger.change(reply.job_id, (snapshot) => classify(reply, snapshot, deps));
  const verdict: Verdict = applied?.result ?? { kind: "ignore", reason: ReplyIgnoredReason.unknownStep };
  if (verdict.kind === "ignore") return ignore(deps, reply, verdict.reason, verdict.step);
  if (verdict.kind === "redelivered") return redelivered(deps, reply, verdict.step);
  if (reply.type === "HEARTBEAT") return { kind: "applied", type: reply.type };
  if (reply.type === "ACK") recordAck(verdict.step, verdict.at);
  if (!raised(reply, verdict.step)) return { kind: "applied", type: reply.type };
  // A RESULT written by its settlement carries when it came, and is marked before the raise, so a
  // copy handled meanwhile is a duplicate; the mark goes again if the raise fails.
  const receipt = receiptSettled(reply, verdict.step);
  const key = attemptKey(reply);
  if (receipt) raisedResults.add(key);
  let notified = false;
  try {
    notified = await deps.notify(receipt ? { ...reply, received_at: verdict.at.toISOString() } : reply);
  } finally {
    if (receipt && !notified) raisedResults.delete(key);
  }
  if (!notified) return ignore(deps, reply, ReplyIgnoredReason.orchestrationGone, verdict.step);
  return { kind: "applied", type: reply.type };
}

function classify(reply: Reply, snapshot: JobSnapshot, deps: ReplyDependencies): Decision<Verdict> {
  const step = snapshot.steps.find((s) => s.step_id === reply.step_id);
  const ignored = (reason: ReplyIgnoredReason, settled = false): Decision<Verdict> => ({
    result: { kind: "ignore", reason, ...(step ? { step } : {}) },
    settled,
  });
  if (!step) return ignored(ReplyIgnoredReason.unknownStep);
  if (step.attempt_no !== reply.attempt_no) return ignored(ReplyIgnoredReason.staleAttempt);
  if (step.lease_id !== reply.lease_id) return ignored(ReplyIgnoredReason.staleLease);
  if (isTerminalStepState(step.state)) return ignored(ReplyIgnoredReason.stepFinished);
  if (step.state !== StepState.DISPATCHED && step.state !== StepState.ACKED) return ignored(ReplyIgnoredReason.notExpected);
  // A job the ledger already calls finished has no orchestration left to tell: nothing to raise.
  if (isTerminalJobState(snapshot.job.state)) return ignored(ReplyIgnoredReason.orchestrationGone, true);
  const expect = { attempt_no: step.attempt_no, lease_id: step.lease_id };
  const at = new Date();

  if (reply.type === "HEARTBEAT") {
    const leaseMs = step.lease_ms ?? registryLeaseMs(snapshot.job, step, deps);
    const patch = { lease_expires_at: new Date(at.getTime() + leaseMs).toISOString() };
    return { change: { steps: [{ step_id: step.step_id, patch, expect }] }, result: { kind: "applied", step, at } };
  }
  if (reply.type === "ACK") {
    if (step.state !== StepState.DISPATCHED) return { result: { kind: "redelivered", step } };
    return {
      change: { steps: [{ step_id: step.step_id, to: StepState.ACKED, patch: { acked_at: at.toISOString() }, expect }] },
      result: { kind: "applied", step, at },
    };
  }
  if (step.result_received_at) return { result: { kind: "redelivered", step } };
  if (receiptSettled(reply, step)) {
    // Raising on rows another process has since moved on is harmless: the orchestration drops a
    // reply that is not for the attempt it waits on. So this decision holds without a fresh read.
    if (raisedResults.has(attemptKey(reply))) return { result: { kind: "ignore", reason: ReplyIgnoredReason.duplicate, step }, settled: true };
    return { result: { kind: "applied", step, at }, settled: true };
  }
  return { change: { steps: [{ step_id: step.step_id, patch: { result_received_at: at.toISOString() }, expect }] }, result: { kind: "applied", step, at } };
}

/**
 * Whether a RESULT is raised without a ledger write, its arrival recorded by the step's settlement:
 * for attempts opened from orchestration v3 (they keep their ACK in the ledger, `ack_event: false`),
 * whose orchestration code passes `received_at` on to the settlement.
 */
function receiptSettled(reply: Reply, step: Step): boolean {
  return reply.type === "RESULT" && step.ack_event === false;
}

const attemptKey = (reply: Reply) => `${reply.job_id}/${reply.step_id}/${reply.attempt_no}/${reply.lease_id}`;

/**
 * The attempts whose RESULT this process has raised without a write: a later copy here is a
 * duplicate. Only a hint — a copy that reaches another process, or comes after the bound, is
 * raised again, and the orchestration drops it.
 */
const raisedResults = new RecentKeys(10_000);

/**
 * A copy of a reply whose ledger effect is already applied. The first copy's
 * raise may have failed after the ledger write (that copy was then abandoned),
 * so it is raised again: the orchestrator drops an event it has already had.
 */
async function redelivered(deps: ReplyDependencies, reply: Reply, step: Step): Promise<ReplyOutcome> {
  if (raised(reply, step) && !(await deps.notify(reply))) return ignore(deps, reply, ReplyIgnoredReason.orchestrationGone, step);
  return ignore(deps, reply, ReplyIgnoredReason.duplicate, step);
}

/** Whether the orchestration hears of this reply as an event: RESULTs always, ACKs unless the attempt keeps them in the ledger. */
function raised(reply: Reply, step: Step): boolean {
  return reply.type === "RESULT" || step.ack_event !== false;
}

/** The lease length of a step dispatched before steps recorded their own: the registry's, as at dispatch. */
function registryLeaseMs(job: Job, step: Step, deps: ReplyDependencies): number {
  const protocol = deps.contracts.registry.protocols.find((p) => p.protocol_id === job.protocol_id);
  return stepTiming(protocol?.steps.find((s) => s.step_id === step.step_id) ?? {}, deps.stepDefaults).lease_ms;
}
