import { describe, expect, it } from "vitest";
import { nextOccurrence, parseNcrontab, TimerScheduleError } from "../../devhost/timer/index.js";

const next = (expression: string, after: string) => nextOccurrence(parseNcrontab(expression), new Date(after))?.toISOString();

/** Every occurrence after `after`, `count` of them. */
function occurrences(expression: string, after: string, count: number): string[] {
  const schedule = parseNcrontab(expression);
  const out: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i++) {
    at = nextOccurrence(schedule, at)!;
    out.push(at.toISOString());
  }
  return out;
}

describe("parseNcrontab", () => {
  it("expands stars, ranges, lists and steps", () => {
    const s = parseNcrontab("*/15 0-2,30 9-17/4 1,15 * 1-5");
    expect(s.seconds).toEqual([0, 15, 30, 45]);
    expect(s.minutes).toEqual([0, 1, 2, 30]);
    expect(s.hours).toEqual([9, 13, 17]);
    expect(s.days).toEqual([1, 15]);
    expect(s.months).toHaveLength(12);
    expect(s.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
  });

  it("reads `a/n` as every n-th value from a", () => {
    expect(parseNcrontab("5/20 * * * * *").seconds).toEqual([5, 25, 45]);
  });

  it("takes month and day names, full or abbreviated, in any case", () => {
    const s = parseNcrontab("0 0 12 * jan,MAR-may,December Mon-fri");
    expect(s.months).toEqual([1, 3, 4, 5, 12]);
    expect(s.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(parseNcrontab("0 0 0 * * SUN,sat").daysOfWeek).toEqual([0, 6]);
  });

  it("accepts the five-field form with second 0", () => {
    expect(parseNcrontab("*/5 * * * *").seconds).toEqual([0]);
    expect(parseNcrontab("*/5 * * * *").minutes).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
  });

  const invalid: Array<[string, RegExp]> = [
    ["* * * *", /has 4 field\(s\); expected 6/],
    ["* * * * * * *", /has 7 field\(s\)/],
    ["60 * * * * *", /second field "60" has 60, outside 0-59/],
    ["0 0 24 * * *", /hour field "24" has 24, outside 0-23/],
    ["0 0 0 0 * *", /day field "0" has 0, outside 1-31/],
    ["0 0 0 * 13 *", /month field "13"/],
    ["0 0 0 * * 7", /outside 0-6 \(Sunday = 0\)/],
    ["0 0 0 * FOO *", /neither a number nor a month name/],
    ["0 0 0 * * MO", /neither a number nor a day-of-week name/],
    ["*/0 * * * * *", /step "0"/],
    ["0 10-5 * * * *", /runs backwards/],
    ["0 1,,2 * * * *", /empty list item/],
    ["0 1-2-3 * * * *", /malformed range/],
    ["x * * * * *", /not a number/],
    ["0 0 0 30 2 *", /never occurs/],
    ["0 0 0 31 APR,JUN *", /never occurs/],
  ];
  it.each(invalid)("rejects %j", (expression, reason) => {
    expect(() => parseNcrontab(expression)).toThrow(TimerScheduleError);
    expect(() => parseNcrontab(expression)).toThrow(reason);
  });
});

describe("nextOccurrence (UTC)", () => {
  it("is strictly after the given time", () => {
    expect(next("*/1 * * * * *", "2030-01-01T00:00:00.000Z")).toBe("2030-01-01T00:00:01.000Z");
    expect(next("*/1 * * * * *", "2030-01-01T00:00:00.999Z")).toBe("2030-01-01T00:00:01.000Z");
    expect(next("0 */5 * * * *", "2030-01-01T00:05:00.000Z")).toBe("2030-01-01T00:10:00.000Z");
  });

  it("carries seconds into minutes, hours, days, months and years", () => {
    expect(next("30 * * * * *", "2030-01-01T10:59:45Z")).toBe("2030-01-01T11:00:30.000Z");
    expect(next("0 0 0 * * *", "2030-12-31T12:00:00Z")).toBe("2031-01-01T00:00:00.000Z");
    expect(next("0 15 10 * * *", "2030-01-01T10:15:00Z")).toBe("2030-01-02T10:15:00.000Z");
  });

  it("skips months too short for the day", () => {
    expect(occurrences("0 0 12 31 * *", "2030-01-31T12:00:00Z", 3)).toEqual([
      "2030-03-31T12:00:00.000Z",
      "2030-05-31T12:00:00.000Z",
      "2030-07-31T12:00:00.000Z",
    ]);
  });

  it("finds the next leap day", () => {
    expect(next("0 0 0 29 FEB *", "2029-03-01T00:00:00Z")).toBe("2032-02-29T00:00:00.000Z");
    expect(next("0 0 0 29 2 *", "2100-01-01T00:00:00Z")).toBe("2104-02-29T00:00:00.000Z");
  });

  it("requires day and day-of-week to match together", () => {
    // Friday the 13th: 2030-09-13 is the first after 2030-01-01.
    expect(next("0 0 9 13 * FRI", "2030-01-01T00:00:00Z")).toBe("2030-09-13T09:00:00.000Z");
  });

  it("follows day-of-week names across weeks", () => {
    // 2030-01-04 is a Friday.
    expect(occurrences("0 30 9 * * MON,WED", "2030-01-04T00:00:00Z", 3)).toEqual([
      "2030-01-07T09:30:00.000Z",
      "2030-01-09T09:30:00.000Z",
      "2030-01-14T09:30:00.000Z",
    ]);
  });

  it("finds a leap day on a given weekday decades away", () => {
    // 29 February falls on a Tuesday in 2028, 2056, 2084.
    expect(next("0 0 0 29 FEB TUE", "2029-01-01T00:00:00Z")).toBe("2056-02-29T00:00:00.000Z");
  });
});
