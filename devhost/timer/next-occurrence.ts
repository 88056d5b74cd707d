import type { NcrontabSchedule } from "./ncrontab.js";

const dayMs = 86_400_000;
/** 28 years covers every weekday/leap-day combination (the Gregorian calendar repeats within it for 1901–2099). */
const searchDays = 366 * 28;

/**
 * The first time strictly after `after` that the schedule fires, in UTC (devhost does not
 * apply `WEBSITE_TIME_ZONE`), or `undefined` if there is none within 28 years
 * (e.g. 29 February on a weekday that never falls on it in range).
 */
export function nextOccurrence(schedule: NcrontabSchedule, after: Date): Date | undefined {
  const start = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  const first = new Date(start);
  let dayStart = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
  let floor = start - dayStart;
  for (let i = 0; i < searchDays; i++, dayStart += dayMs, floor = 0) {
    const day = new Date(dayStart);
    if (!schedule.months.includes(day.getUTCMonth() + 1) || !schedule.days.includes(day.getUTCDate()) || !schedule.daysOfWeek.includes(day.getUTCDay())) {
      continue;
    }
    const timeOfDay = firstTimeOfDay(schedule, floor);
    if (timeOfDay !== undefined) return new Date(dayStart + timeOfDay);
  }
  return undefined;
}

/** The earliest (hour, minute, second) of the schedule at or after `floorMs` into the day, in ms. */
function firstTimeOfDay(schedule: NcrontabSchedule, floorMs: number): number | undefined {
  const floorSecond = Math.floor(floorMs / 1000);
  for (const h of schedule.hours) {
    if ((h + 1) * 3600 <= floorSecond) continue;
    for (const m of schedule.minutes) {
      const minuteStart = h * 3600 + m * 60;
      if (minuteStart + 60 <= floorSecond) continue;
      for (const s of schedule.seconds) {
        if (minuteStart + s >= floorSecond) return (minuteStart + s) * 1000;
      }
    }
  }
  return undefined;
}
