/** setTimeout's ceiling; longer timers re-arm in steps. */
const maxDelay = 2_147_000_000;

/**
 * Durable timers in memory. Their due times are persisted in history
 * (TimerCreated.FireAt), so after a restart recovery re-arms every open one;
 * a timer already due fires at once.
 */
export class TimerWheel {
  private readonly armed = new Map<string, NodeJS.Timeout>();

  arm(key: string, fireAt: Date, fire: () => void): void {
    if (this.armed.has(key)) return;
    const schedule = () => {
      const wait = fireAt.getTime() - Date.now();
      if (wait > maxDelay) {
        this.armed.set(key, setTimeout(schedule, maxDelay));
        return;
      }
      this.armed.set(
        key,
        setTimeout(
          () => {
            // setTimeout may wake a millisecond early; a durable timer must never fire before its due time.
            if (Date.now() < fireAt.getTime()) return schedule();
            this.armed.delete(key);
            fire();
          },
          Math.max(0, wait),
        ),
      );
    };
    schedule();
  }

  isArmed(key: string): boolean {
    return this.armed.has(key);
  }

  cancel(key: string): void {
    const handle = this.armed.get(key);
    if (handle) clearTimeout(handle);
    this.armed.delete(key);
  }

  /** Cancels every timer whose key starts with `prefix`. */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.armed.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  countPrefix(prefix: string): number {
    let count = 0;
    for (const key of this.armed.keys()) if (key.startsWith(prefix)) count++;
    return count;
  }

  cancelAll(): void {
    for (const handle of this.armed.values()) clearTimeout(handle);
    this.armed.clear();
  }

  get size(): number {
    return this.armed.size;
  }
}
