import type { ProtocolStep } from "../contracts/index.js";
import type { StepDefaults } from "../config/settings.js";

/** How long the orchestrator waits on a step's worker, and how it retries; durations in milliseconds. */
export interface StepTiming {
  /** Time for the worker to ACK a directive. @default 30 s */
  ack_ms: number;
  /** Time for the worker to send RESULT after dispatch; each HEARTBEAT restarts it. @default 900 s */
  lease_ms: number;
  /** Attempts before the step fails. @default 3 */
  max_attempts: number;
  /** Wait before attempt i+2; the last entry repeats. @default [30 s, 120 s, 600 s] */
  backoff_ms: number[];
}

/** The registry step's overrides over the configured defaults (LUCIUS_STEP_DEFAULTS). */
export function stepTiming(step: Pick<ProtocolStep, "timeout_overrides" | "retry">, defaults: StepDefaults): StepTiming {
  const ms = (seconds: number) => Math.max(1, Math.round(seconds * 1000));
  return {
    ack_ms: ms(step.timeout_overrides?.ack_seconds ?? defaults.ack_seconds),
    lease_ms: ms(step.timeout_overrides?.lease_seconds ?? defaults.lease_seconds),
    max_attempts: step.retry?.max_attempts ?? defaults.max_attempts,
    backoff_ms: (step.retry?.backoff_seconds ?? defaults.backoff_seconds).map(ms),
  };
}

/** The wait before `nextAttempt` (2, 3, …). */
export function backoffBefore(timing: StepTiming, nextAttempt: number): number {
  const index = Math.min(nextAttempt - 2, timing.backoff_ms.length - 1);
  return timing.backoff_ms[Math.max(0, index)] ?? 0;
}
