import type { Job, JobEvent, Step } from "./api.js";
import { ms } from "./format.js";

/** One attempt of a step: from its dispatch to its outcome, as the events tell it. */
export interface Attempt {
  attempt_no: number;
  dispatchedAt: number;
  ackedAt?: number;
  /** When it ended (a result, a timeout, a cancel); undefined while it runs. */
  endedAt?: number;
  /** The state it ended in: SUCCEEDED, FAILED, CANCELLED, or RETRY_WAIT (another attempt follows). */
  outcome?: string;
  /** Why it ended so: an error code, a timeout, a failure class. */
  reason?: string;
  /** The latest heartbeat, read from the lease (heartbeats move it and are not events of their own). */
  lastHeartbeatAt?: number;
  /** The wait before the next attempt, when there is one. */
  backoffUntil?: number;
}

export interface StepTimeline {
  step: Step;
  attempts: Attempt[];
}

const terminalStep = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "RETRY_WAIT"]);

function reasonOf(details: Record<string, unknown> | undefined): string | undefined {
  if (!details) return undefined;
  const error = details.error as { code?: string; message?: string } | undefined;
  const parts = [
    error?.code,
    typeof details.reason === "string" ? details.reason : undefined,
    typeof details.failure_class === "string" ? details.failure_class : undefined,
  ];
  const text = parts.filter(Boolean).join(", ");
  return text === "" ? undefined : text;
}

/** Each step's attempts, rebuilt from its STEP_STATE_CHANGED events (a DISPATCHED begins one). */
export function stepTimelines(job: Job, events: JobEvent[]): StepTimeline[] {
  const steps = [...(job.steps ?? [])].sort((a, b) => a.index - b.index);
  return steps.map((step) => {
    const attempts: Attempt[] = [];
    for (const event of events) {
      if (event.type !== "STEP_STATE_CHANGED" || event.step_id !== step.step_id) continue;
      const to = event.details?.to as string | undefined;
      const at = ms(event.at);
      const current = attempts[attempts.length - 1];
      if (to === "DISPATCHED") {
        if (current && current.outcome === "RETRY_WAIT") current.backoffUntil = at;
        attempts.push({ attempt_no: event.attempt_no ?? attempts.length + 1, dispatchedAt: at });
      } else if (to === "ACKED" && current) {
        current.ackedAt = at;
      } else if (to && terminalStep.has(to) && current && current.endedAt === undefined) {
        current.endedAt = at;
        current.outcome = to;
        const reason = reasonOf(event.details);
        if (reason) current.reason = reason;
      }
    }
    const last = attempts[attempts.length - 1];
    if (last && last.endedAt === undefined && step.lease_expires_at && step.lease_ms) {
      const heartbeat = ms(step.lease_expires_at) - step.lease_ms;
      // A lease renewed after the ACK was renewed by a heartbeat.
      if (heartbeat > (last.ackedAt ?? last.dispatchedAt) + 50) last.lastHeartbeatAt = heartbeat;
    }
    return { step, attempts };
  });
}
