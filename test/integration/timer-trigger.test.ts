import { randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HostComponent, HostContext } from "../../devhost/component.js";
import { loadApp, type CapturedApp } from "../../devhost/loader.js";
import { timerComponent, TimerScheduleError, type TimerInfo } from "../../devhost/timer/index.js";
import { azuriteConnectionString } from "../support/storage.js";

const fixturePath = fileURLToPath(new URL("../fixtures/servicebus-app/timer-app.js", import.meta.url));
interface Tick {
  timer: TimerInfo;
  functionName: string;
  at: string;
}

let app: CapturedApp;
let events: EventEmitter;
const running: HostComponent[] = [];

beforeAll(async () => {
  app = await loadApp([fixturePath]);
  events = ((await import(fixturePath)) as { events: EventEmitter }).events;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

function context(functionNames: string[], env: Record<string, string> = {}): HostContext {
  return {
    app: { ...app, functions: new Map([...app.functions].filter(([name]) => functionNames.includes(name))) },
    env,
    connectionString: azuriteConnectionString(),
    baseUrl: "http://127.0.0.1:0",
    mount: () => undefined,
    log: () => undefined,
  };
}

async function start(functionNames: string[], tableName = `t${randomBytes(5).toString("hex")}`, env?: Record<string, string>) {
  const component = timerComponent({ tableName });
  await component.start(context(functionNames, env));
  running.push(component);
  return component;
}

function ticks(name: string, count: number): Promise<Tick[]> {
  return new Promise((resolve) => {
    const seen: Tick[] = [];
    const listener = (fn: string, tick: Tick) => {
      if (fn !== name) return;
      seen.push(tick);
      if (seen.length === count) {
        events.off("tick", listener);
        resolve(seen);
      }
    };
    events.on("tick", listener);
  });
}

describe("timer trigger", () => {
  it("fires a */1 * * * * * schedule every second with the Timer shape", async () => {
    const three = ticks("everySecond", 3);
    await start(["everySecond"]);
    const seen = await three;
    expect(seen.map((t) => t.functionName)).toEqual(["everySecond", "everySecond", "everySecond"]);
    for (const { timer } of seen) {
      expect(timer.isPastDue).toBe(false);
      expect(timer.schedule).toEqual({ adjustForDST: false });
      expect(new Date(timer.scheduleStatus.next).getUTCMilliseconds()).toBe(0);
    }
    // Each run reports the previous one as `last`, and runs never overlap or repeat an occurrence.
    expect(seen[2]!.timer.scheduleStatus.last > seen[1]!.timer.scheduleStatus.last).toBe(true);
    const nexts = seen.map((t) => t.timer.scheduleStatus.next);
    expect(new Set(nexts).size).toBe(3);
  });

  it("runs a runOnStartup timer at start, not past due", async () => {
    const first = ticks("onStartup", 1);
    await start(["onStartup"]);
    const [tick] = await first;
    expect(tick!.timer.isPastDue).toBe(false);
    expect(tick!.timer.scheduleStatus.next).toMatch(/-01-01T00:00:00\.000Z$/);
  });

  it("makes up a monitored run missed while devhost was down, as past due, and records the new status", async () => {
    const tableName = `t${randomBytes(5).toString("hex")}`;
    const table = TableClient.fromConnectionString(azuriteConnectionString(), tableName, { allowInsecureConnection: true });
    await table.createTable();
    const missed = new Date(Date.now() - 2 * 3600_000);
    missed.setUTCMinutes(0, 0, 0);
    const last = new Date(missed.getTime() - 3600_000);
    await table.upsertEntity({ partitionKey: "timer", rowKey: "hourly", last, next: missed, lastUpdated: last });

    const first = ticks("hourly", 1);
    await start(["hourly"], tableName);
    const [tick] = await first;
    expect(tick!.timer.isPastDue).toBe(true);
    expect(tick!.timer.scheduleStatus.last).toBe(last.toISOString());

    for (;;) {
      const status = await table.getEntity<{ last: Date; next: Date }>("timer", "hourly");
      if (new Date(status.last).getTime() === missed.getTime()) {
        expect(new Date(status.next).getTime()).toBeGreaterThan(Date.now());
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("does not run a monitored timer whose next run is still ahead", async () => {
    const tableName = `t${randomBytes(5).toString("hex")}`;
    const component = await start(["hourly"], tableName);
    await component.stop();
    running.splice(running.indexOf(component), 1);
    const table = TableClient.fromConnectionString(azuriteConnectionString(), tableName, { allowInsecureConnection: true });
    const untouched = await table.getEntity("timer", "hourly").catch((e: { statusCode?: number }) => e.statusCode);
    expect(untouched).toBe(404);
  });

  it("resolves %SETTING% schedules from the app settings", async () => {
    const one = ticks("fromSetting", 1);
    await start(["fromSetting"], undefined, { TIMER_SCHEDULE: "*/1 * * * * *" });
    expect((await one)[0]!.timer.isPastDue).toBe(false);
  });

  it("refuses to start with an invalid schedule, naming the function", async () => {
    const component = timerComponent({ tableName: `t${randomBytes(5).toString("hex")}` });
    const failure = await component.start(context(["broken", "everySecond"])).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TimerScheduleError);
    expect((failure as Error).message).toMatch(/Function "broken".*hour field "25"/);
    await component.stop();
  });
});
