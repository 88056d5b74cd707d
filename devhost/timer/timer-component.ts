import { randomUUID } from "node:crypto";
import type { HostComponent, HostContext } from "../component.js";
import type { CapturedFunction } from "../loader.js";
import { TimerScheduleError } from "./errors.js";
import { parseNcrontab, type NcrontabSchedule } from "./ncrontab.js";
import { nextOccurrence } from "./next-occurrence.js";
import { ScheduleMonitor } from "./schedule-monitor.js";
import { TimerRunner, type TimerInfo } from "./timer-runner.js";

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

type FunctionsModule = typeof import("@azure/functions");

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
      // Loaded only now, after the host installed its core shim: loaded first, it would enter test mode.
      const lib = (await import("@azure/functions")) as unknown as FunctionsModule & { default?: FunctionsModule };
      const InvocationContext = (lib.default ?? lib).InvocationContext;
      const invoke = async (fn: CapturedFunction, timer: TimerInfo) => {
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: fn.name,
          options: { trigger: { ...fn.trigger.binding, name: fn.trigger.name } as never, extraInputs: extraInputsOf(fn), extraOutputs: [] },
          logHandler: (level, ...args) => ctx.log(`[${fn.name}] ${level}: ${args.map(String).join(" ")}`),
        });
        await ctx.prepareInvocation?.(fn, context);
        await fn.handler(timer, context);
      };
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

function plan(fn: CapturedFunction, env: Record<string, string>): { fn: CapturedFunction; schedule: NcrontabSchedule; useMonitor: boolean; runOnStartup: boolean } {
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

function extraInputsOf(fn: CapturedFunction): never[] {
  return Object.entries(fn.bindings)
    .filter(([name, b]) => name !== fn.trigger.name && b.direction === "in")
    .map(([name, b]) => ({ ...b, name }) as never);
}
