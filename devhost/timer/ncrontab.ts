import { TimerScheduleError } from "./errors.js";

/** A parsed schedule: the allowed values of each field, ascending. */
export interface NcrontabSchedule {
  expression: string;
  seconds: readonly number[];
  minutes: readonly number[];
  hours: readonly number[];
  days: readonly number[];
  months: readonly number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: readonly number[];
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const monthNames = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"];
const dayNames = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

const fields: readonly FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: monthNames },
  { name: "day-of-week", min: 0, max: 6, names: dayNames },
];

/** Longest each month can be (February in a leap year). */
const maxDaysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an NCRONTAB expression as Azure Functions does:
 * `{second} {minute} {hour} {day} {month} {day-of-week}` (the five-field form without
 * seconds is accepted too, with second 0). Each field takes `*`, a value, a range `a-b`,
 * a step (`a-b/n`, `a/n`, or `*` followed by `/n`), or a comma-separated list of those. Months and days
 * of the week also take names, full or three-letter (`JAN`, `mon`), case-insensitive;
 * day-of-week is 0–6 with Sunday = 0. Day and day-of-week must both match (NCrontab's
 * rule, unlike Vixie cron's "either"). Throws {@link TimerScheduleError} naming the field.
 */
export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 6 && parts.length !== 5) {
    throw new TimerScheduleError(`NCRONTAB "${expression}" has ${parts.length} field(s); expected 6: {second} {minute} {hour} {day} {month} {day-of-week}`);
  }
  const six = parts.length === 6 ? parts : ["0", ...parts];
  const [seconds, minutes, hours, days, months, daysOfWeek] = six.map((text, i) => parseField(expression, text, fields[i]!));
  const schedule: NcrontabSchedule = {
    expression,
    seconds: seconds!,
    minutes: minutes!,
    hours: hours!,
    days: days!,
    months: months!,
    daysOfWeek: daysOfWeek!,
  };
  if (!schedule.months.some((m) => schedule.days.some((d) => d <= maxDaysInMonth[m - 1]!))) {
    throw new TimerScheduleError(`NCRONTAB "${expression}" never occurs: none of its days exists in any of its months`);
  }
  return schedule;
}

function parseField(expression: string, text: string, spec: FieldSpec): number[] {
  const fail = (reason: string): never => {
    throw new TimerScheduleError(`NCRONTAB "${expression}": ${spec.name} field "${text}" ${reason}`);
  };
  const value = (token: string): number => {
    if (/^\d+$/.test(token)) {
      const n = Number(token);
      if (n < spec.min || n > spec.max) fail(`has ${n}, outside ${spec.min}-${spec.max}${spec.name === "day-of-week" ? " (Sunday = 0)" : ""}`);
      return n;
    }
    const upper = token.toUpperCase();
    const index = spec.names?.findIndex((name) => name === upper || (upper.length === 3 && name.startsWith(upper))) ?? -1;
    if (index < 0) fail(spec.names ? `has "${token}", which is neither a number nor a ${spec.name} name` : `has "${token}", which is not a number`);
    return spec.min + index;
  };
  const out = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") fail("has an empty list item");
    const [range, stepText, extra] = item.split("/");
    if (extra !== undefined) fail(`has more than one "/" in "${item}"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) fail(`has step "${stepText}"; a step must be a positive integer`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === "*") {
      [from, to] = [spec.min, spec.max];
    } else if (range!.includes("-")) {
      const [a, b, more] = range!.split("-");
      if (more !== undefined || !a || !b) fail(`has malformed range "${range}"`);
      [from, to] = [value(a!), value(b!)];
      if (from > to) fail(`has range "${range}" that runs backwards`);
    } else {
      from = value(range!);
      // `a/n` means every n-th value from a to the end of the field.
      to = stepText !== undefined ? spec.max : from;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}
