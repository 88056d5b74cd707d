import type { HostComponent, HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import { TimerScheduleError } from "./errors.js";
import { parseNcrontab, type NcrontabSchedule } from "./ncrontab.js";
import { nextOccurrence } from "./next-occurrence.js";
import { ScheduleMonitor } from "./schedule-monitor.js";
import { TimerRunner, type TimerInfo } from "./timer-runner.js";
import { invokeAsWorker } from "../worker-invocation.js";

export const timerTriggerType = "timerTrigger";

export interface TimerComponentOptions {
  /** Table holding each timer's schedule status (`useMonitor`). @default "devhosttimers" */
  tableName?: string;
}

interface TimerBinding {
  schedule?: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
}

/**
 * devhost's timer triggers: each `timerTrigger` function runs on its NCRONTAB schedule
 * (UTC), with `runOnStartup` and `useMonitor` (status persisted in Azurite, so a run
 * missed while devhost was down is made up at start with `isPastDue: true`).
 */
export function timerComponent(options: TimerComponentOptions = {}): HostComponent {
  let runners: TimerRunner[] = [];
  return {
    name: "timer",
    triggerTypes: [timerTriggerType],
    async start(ctx: HostContext): Promise<void> {
      const timers = [...ctx.app.functions.values()].filter((fn) => fn.trigger.binding.type === timerTriggerType);
      // Every schedule is checked before any timer starts, so one bad schedule stops start-up cleanly.
      const plans = timers.map((fn) => plan(fn, ctx.env));
      if (plans.length === 0) return;
      if (ctx.env.WEBSITE_TIME_ZONE) ctx.log(`timer: WEBSITE_TIME_ZONE is ignored; devhost evaluates schedules in UTC`);
      const monitor = new ScheduleMonitor(ctx.connectionString, options.tableName ?? "devhosttimers");
      await monitor.start();
      const invoke = (fn: CapturedFunction, timer: TimerInfo) => invokeTimerFunction(ctx, fn, timer);
      runners = plans.map((p) => new TimerRunner({ ...p, monitor, invoke, log: ctx.log }));
      await Promise.all(runners.map((r) => r.start()));
      ctx.log(`timer: ${plans.map((p) => `${p.fn.name} "${p.schedule.expression}"`).join(", ")}`);
    },
    async stop(): Promise<void> {
      await Promise.all(runners.map((r) => r.stop()));
      runners = [];
    },
  };
}

function plan(
  fn: CapturedFunction,
  env: Record<string, string>,
): { fn: CapturedFunction; schedule: NcrontabSchedule; useMonitor: boolean; runOnStartup: boolean } {
  const binding = fn.trigger.binding as TimerBinding;
  const raw = (binding.schedule ?? "").replace(/^%([^%]+)%$/, (_, name: string) => env[name] ?? "");
  if (raw.trim() === "") throw new TimerScheduleError(`Function "${fn.name}": the timer has no schedule (or its %SETTING% is unset)`);
  if (/^\d+(\.\d+)?:\d+:\d+$/.test(raw.trim())) {
    throw new TimerScheduleError(`Function "${fn.name}": TimeSpan schedules ("${raw}") are not supported; use an NCRONTAB expression`);
  }
  let schedule: NcrontabSchedule;
  try {
    schedule = parseNcrontab(raw);
  } catch (error) {
    throw new TimerScheduleError(`Function "${fn.name}": ${(error as Error).message}`);
  }
  return { fn, schedule, useMonitor: binding.useMonitor ?? intervalMs(schedule) >= 60_000, runOnStartup: binding.runOnStartup ?? false };
}

/** The Functions host monitors schedules whose interval is at least a minute by default. */
function intervalMs(schedule: NcrontabSchedule): number {
  const first = nextOccurrence(schedule, new Date());
  const second = first && nextOccurrence(schedule, first);
  return first && second ? second.getTime() - first.getTime() : Number.POSITIVE_INFINITY;
}

/** One invocation of a timer function through the app's programming model; throws when it failed. */
export async function invokeTimerFunction(ctx: HostContext, fn: CapturedFunction, timer: TimerInfo): Promise<void> {
  const outcome = await invokeAsWorker(
    ctx.app,
    fn,
    { inputData: [{ name: fn.trigger.name, data: { json: JSON.stringify(hostTimerInfo(timer)) } }, ...(ctx.inputData?.(fn) ?? [])] },
    (level, category, message) => ctx.log(`[${fn.name}] ${category} ${level}: ${message}`),
  );
  if (outcome.status === "failed") throw outcome.error;
}

/**
 * The timer trigger's value as the host sends it: the `TimerInfo` JSON with .NET's PascalCase
 * names, which the library turns into camelCase (`toCamelCaseValue`).
 */
export function hostTimerInfo(timer: TimerInfo): Record<string, unknown> {
  return {
    Schedule: { AdjustForDST: timer.schedule.adjustForDST },
    ScheduleStatus: { Last: timer.scheduleStatus.last, Next: timer.scheduleStatus.next, LastUpdated: timer.scheduleStatus.lastUpdated },
    IsPastDue: timer.isPastDue,
  };
}
