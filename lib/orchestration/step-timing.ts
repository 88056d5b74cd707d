import type { ProtocolStep } from "../contracts/index.js";

/** How long the orchestrator waits on a step's worker, and how it retries. All in milliseconds after scaling. */
export interface StepTiming {
  /** Time for the worker to ACK a directive. @default 30 s */
  ack_ms: number;
  /** Time for the worker to send RESULT after ACK; each HEARTBEAT restarts it. @default 900 s */
  lease_ms: number;
  /** Attempts before the step fails. @default 3 */
  max_attempts: number;
  /** Wait before attempt i+2; the last entry repeats. @default [30 s, 120 s, 600 s] */
  backoff_ms: number[];
}

export const defaultStepTiming = {
  ack_seconds: 30,
  lease_seconds: 900,
  max_attempts: 3,
  backoff_seconds: [30, 120, 600],
} as const;

/**
 * The registry step's overrides over the defaults, scaled by `timeScale`
 * (LUCIUS_TIME_SCALE). Attempt counts are never scaled.
 */
export function stepTiming(step: Pick<ProtocolStep, "timeout_overrides" | "retry">, timeScale: number): StepTiming {
  const ms = (seconds: number) => Math.max(1, Math.round(seconds * 1000 * timeScale));
  return {
    ack_ms: ms(step.timeout_overrides?.ack_seconds ?? defaultStepTiming.ack_seconds),
    lease_ms: ms(step.timeout_overrides?.lease_seconds ?? defaultStepTiming.lease_seconds),
    max_attempts: step.retry?.max_attempts ?? defaultStepTiming.max_attempts,
    backoff_ms: (step.retry?.backoff_seconds ?? defaultStepTiming.backoff_seconds).map(ms),
  };
}

/** The wait before `nextAttempt` (2, 3, …). */
export function backoffBefore(timing: StepTiming, nextAttempt: number): number {
  const index = Math.min(nextAttempt - 2, timing.backoff_ms.length - 1);
  return timing.backoff_ms[Math.max(0, index)] ?? 0;
}
