import type { CapturedFunction } from "../loader.js";
import type { NcrontabSchedule } from "./ncrontab.js";
import { nextOccurrence } from "./next-occurrence.js";
import type { ScheduleMonitor, ScheduleStatus } from "./schedule-monitor.js";

/** What the handler gets as its first argument (the `Timer` type of `@azure/functions`). */
export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

export interface TimerRunnerDeps {
  fn: CapturedFunction;
  schedule: NcrontabSchedule;
  useMonitor: boolean;
  runOnStartup: boolean;
  monitor: ScheduleMonitor;
  /** Builds the context and calls the handler. */
  invoke(fn: CapturedFunction, timer: TimerInfo): Promise<void>;
  log(message: string): void;
}

/** .NET's DateTime.MinValue: what the host reports as `last` before a timer has ever run. */
const never = new Date("0001-01-01T00:00:00.000Z");
const maxTimerDelay = 2 ** 31 - 1;

/** Runs one timer function on its schedule; one invocation at a time, as the Functions host does. */
export class TimerRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private status: ScheduleStatus | undefined;

  constructor(private readonly deps: TimerRunnerDeps) {}

  async start(): Promise<void> {
    const now = new Date();
    if (this.deps.useMonitor) this.status = await this.deps.monitor.get(this.deps.fn.name);
    if (this.status && this.status.next.getTime() <= now.getTime()) {
      this.deps.log(`timer ${this.deps.fn.name}: missed the run due at ${this.status.next.toISOString()}; running it now (past due)`);
      this.fire(this.status.next, true);
    } else if (this.deps.runOnStartup) {
      this.fire(now, false);
    } else {
      this.arm(now);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(from: Date): void {
    if (this.stopped) return;
    const next = nextOccurrence(this.deps.schedule, from);
    if (!next) {
      this.deps.log(`timer ${this.deps.fn.name}: "${this.deps.schedule.expression}" has no further occurrence; it will not run again`);
      return;
    }
    const delay = next.getTime() - Date.now();
    this.timer = setTimeout(
      () => {
        // Long waits are re-armed in slices; setTimeout cannot wait longer than about 24.8 days.
        if (delay > maxTimerDelay) this.arm(from);
        else this.fire(next, false);
      },
      Math.min(Math.max(0, delay), maxTimerDelay),
    );
    this.timer.unref();
  }

  private fire(occurrence: Date, isPastDue: boolean): void {
    if (this.stopped) return;
    this.running = this.run(occurrence, isPastDue).finally(() => {
      this.running = undefined;
      this.arm(new Date(Math.max(Date.now(), occurrence.getTime())));
    });
  }

  private async run(occurrence: Date, isPastDue: boolean): Promise<void> {
    const { fn, schedule } = this.deps;
    const next = nextOccurrence(schedule, new Date(Math.max(Date.now(), occurrence.getTime()))) ?? occurrence;
    const timer: TimerInfo = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (this.status?.last ?? never).toISOString(),
        next: next.toISOString(),
        lastUpdated: (this.status?.lastUpdated ?? never).toISOString(),
      },
    };
    try {
      await this.deps.invoke(fn, timer);
    } catch (error) {
      this.deps.log(`timer ${fn.name}: the invocation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.status = { last: occurrence, next, lastUpdated: new Date() };
    if (this.deps.useMonitor) {
      await this.deps.monitor.set(fn.name, this.status).catch((error: unknown) => {
        this.deps.log(`timer ${fn.name}: could not record the schedule status: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }
}
