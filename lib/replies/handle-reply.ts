import { messageBody } from "../bus/messages.js";
import type { Contracts, Reply } from "../contracts/index.js";
import { isLedgerError, LedgerErrorCode, StepState, isTerminalStepState, type Ledger, type Step } from "../ledger/index.js";
import { stepTiming } from "../orchestration/step-timing.js";
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
  | { kind: "invalid"; reason: string; description: string }
  | { kind: "ignored"; reason: ReplyIgnoredReason }
  | { kind: "applied"; type: Reply["type"] };

export interface ReplyDependencies {
  contracts: Contracts;
  ledger: Ledger;
  stepDefaults: StepDefaults;
  /** Hands an ACK or RESULT to the job's orchestration; false when it no longer runs. */
  notify(reply: Reply): Promise<boolean>;
  /** `REPLY_IGNORED` events kept per step; past it ignored replies are only counted. @default {@link defaultIgnoredEventsPerStep} */
  ignoredEventsPerStep?: number;
}

/** @default 20: enough to diagnose a misbehaving worker, too few for a flood of forged replies to grow a job's timeline. */
export const defaultIgnoredEventsPerStep = 20;


async function ignore(deps: ReplyDependencies, reply: Reply, reason: ReplyIgnoredReason, step?: Step): Promise<ReplyOutcome> {
  recordReplyIgnored(reply, reason);
  const bound = deps.ignoredEventsPerStep ?? defaultIgnoredEventsPerStep;
  // Replies handled at the same moment may each see room for one more: the bound can be passed by that few.
  if (step && (await deps.ledger.countEvents(reply.job_id, "REPLY_IGNORED", reply.step_id, bound)) < bound) {
    await deps.ledger.appendEvent(reply.job_id, {
      type: "REPLY_IGNORED",
      step_id: reply.step_id,
      attempt_no: reply.attempt_no,
      details: { reason, reply_type: reply.type, lease_id: reply.lease_id, current_attempt_no: step.attempt_no, step_state: step.state },
    });
  }
  return { kind: "ignored", reason };
}

/** A concurrent reply (e.g. the ACK beside its RESULT) changed the step first: read it again and decide anew. */
const changedUnderUs = (error: unknown) => isLedgerError(error) && error.code === LedgerErrorCode.STALE_ETAG;
const maxDecisions = 5;

export async function handleReply(body: unknown, deps: ReplyDependencies): Promise<ReplyOutcome> {
  const validation = deps.contracts.validateReply(messageBody(body));
  if (!validation.ok) {
    return { kind: "invalid", reason: "InvalidReply", description: validation.errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ") };
  }
  const reply = validation.value;
  return traceReply(reply, async () => {
    for (let decision = 1; ; decision++) {
      try {
        return await decide(reply, deps);
      } catch (error) {
        if (!changedUnderUs(error) || decision >= maxDecisions) throw error;
      }
    }
  });
}

/** One read-decide-write round; the write is conditional on the row it read. */
async function decide(reply: Reply, deps: ReplyDependencies): Promise<ReplyOutcome> {
  const step = await deps.ledger.getStep(reply.job_id, reply.step_id);
  if (!step) return ignore(deps, reply, ReplyIgnoredReason.unknownStep);
  if (step.attempt_no !== reply.attempt_no) return ignore(deps, reply, ReplyIgnoredReason.staleAttempt, step);
  if (step.lease_id !== reply.lease_id) return ignore(deps, reply, ReplyIgnoredReason.staleLease, step);
  if (isTerminalStepState(step.state)) return ignore(deps, reply, ReplyIgnoredReason.stepFinished, step);
  if (step.state !== StepState.DISPATCHED && step.state !== StepState.ACKED) return ignore(deps, reply, ReplyIgnoredReason.notExpected, step);
  const expect = { attempt_no: step.attempt_no, lease_id: step.lease_id };
  const ifMatch = step.etag;

  if (reply.type === "HEARTBEAT") {
    const leaseMs = step.lease_ms ?? (await registryLeaseMs(reply, step, deps));
    await deps.ledger.patchStep(reply.job_id, reply.step_id, { lease_expires_at: new Date(Date.now() + leaseMs).toISOString() }, { expect, ifMatch });
    return { kind: "applied", type: reply.type };
  }
  if (reply.type === "ACK") {
    if (step.state !== StepState.DISPATCHED) return redelivered(deps, reply, step);
    const ackedAt = new Date();
    await deps.ledger.transitionStep(reply.job_id, reply.step_id, StepState.ACKED, { acked_at: ackedAt.toISOString() }, { expect, ifMatch });
    recordAck(step, ackedAt);
  } else {
    if (step.result_received_at) return redelivered(deps, reply, step);
    await deps.ledger.patchStep(reply.job_id, reply.step_id, { result_received_at: new Date().toISOString() }, { expect, ifMatch });
  }
  if (!(await deps.notify(reply))) return ignore(deps, reply, ReplyIgnoredReason.orchestrationGone, step);
  return { kind: "applied", type: reply.type };
}

/**
 * A copy of a reply whose ledger effect is already applied. The first copy's
 * raise may have failed after the ledger write (that copy was then abandoned),
 * so it is raised again: the orchestrator drops an event it has already had.
 */
async function redelivered(deps: ReplyDependencies, reply: Reply, step: Step): Promise<ReplyOutcome> {
  if (!(await deps.notify(reply))) return ignore(deps, reply, ReplyIgnoredReason.orchestrationGone, step);
  return ignore(deps, reply, ReplyIgnoredReason.duplicate, step);
}

/** The lease length of a step dispatched before steps recorded their own: the registry's, as at dispatch. */
async function registryLeaseMs(reply: Reply, step: Step, deps: ReplyDependencies): Promise<number> {
  const job = await deps.ledger.getJob(reply.job_id);
  const protocol = deps.contracts.registry.protocols.find((p) => p.protocol_id === job?.protocol_id);
  return stepTiming(protocol?.steps.find((s) => s.step_id === step.step_id) ?? {}, deps.stepDefaults).lease_ms;
}
