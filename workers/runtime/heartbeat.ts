import type { Directive, HeartbeatReply } from "../../lib/worker-kit.js";
import { heartbeatFor } from "./replies.js";

export interface Heartbeats {
  /** Progress (0..1) and details carried by the next heartbeat. */
  progress(fraction: number, details?: Record<string, unknown>): void;
  /** Stops the timer and waits for a heartbeat in flight, so nothing is sent after it resolves. */
  stop(): Promise<void>;
}

/** Heartbeats are never closer than this, however short the lease. */
export const minHeartbeatMs = 100;

/** Every lease/3: two heartbeats may be lost before the lease runs out. */
export function heartbeatInterval(leaseExpiresAt: string, now = Date.now()): number {
  return Math.max(minHeartbeatMs, Math.floor((Date.parse(leaseExpiresAt) - now) / 3));
}

/**
 * Sends HEARTBEATs with sequence 1, 2, 3… every `intervalMs` until stopped or `signal` aborts.
 * Sends never overlap; a failed heartbeat is logged and the next one tries again.
 */
export function startHeartbeats(
  directive: Directive,
  intervalMs: number,
  send: (heartbeat: HeartbeatReply) => Promise<void>,
  signal: AbortSignal,
  log: (message: string) => void,
): Heartbeats {
  let sequence = 0;
  let fraction: number | undefined;
  let details: Record<string, unknown> | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped || signal.aborted) return;
    const beat = heartbeatFor(directive, ++sequence, fraction, details);
    inFlight = inFlight
      .then(() => (stopped || signal.aborted ? undefined : send(beat)))
      .catch((error: unknown) => {
        log(`heartbeat ${beat.sequence} for ${directive.job_id}/${directive.step_id} failed: ${(error as Error).message}`);
      });
  }, intervalMs);
  return {
    progress(value, more) {
      fraction = value;
      details = more;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
