import type { DirectiveMessage } from "../../lib/worker-kit.js";

/** (job, step, attempt, lease): the identity a worker is idempotent on. */
export function attemptKey(m: Pick<DirectiveMessage, "job_id" | "step_id" | "attempt_no" | "lease_id">): string {
  return `${m.job_id}\u0000${m.step_id}\u0000${m.attempt_no}\u0000${m.lease_id}`;
}

/** How many cancelled attempt keys are remembered (a CANCEL may overtake its DIRECTIVE). */
const rememberedCancels = 1000;

/**
 * The attempts this process is running, so a redelivered directive is not started twice and a
 * CANCEL finds the attempt's AbortController. Process-local by design: across instances the
 * orchestrator's lease decides, and a finished attempt is recognised by its marker blob.
 */
export class AttemptRegistry {
  private readonly running = new Map<string, AbortController>();
  private readonly cancelled = new Set<string>();

  /** Registers a new attempt; undefined when it is already running here or was cancelled. */
  start(key: string): AbortController | undefined {
    if (this.running.has(key) || this.cancelled.has(key)) return undefined;
    const controller = new AbortController();
    this.running.set(key, controller);
    return controller;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  wasCancelled(key: string): boolean {
    return this.cancelled.has(key);
  }

  finish(key: string): void {
    this.running.delete(key);
  }

  /** Aborts the attempt if it runs here, and remembers the key so a late DIRECTIVE is ignored. */
  cancel(key: string): boolean {
    this.cancelled.add(key);
    if (this.cancelled.size > rememberedCancels) this.cancelled.delete(this.cancelled.values().next().value!);
    const controller = this.running.get(key);
    controller?.abort(new Error("cancelled by the orchestrator"));
    return controller !== undefined;
  }

  get size(): number {
    return this.running.size;
  }
}
