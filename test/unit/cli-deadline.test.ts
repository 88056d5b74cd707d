import { describe, expect, it } from "vitest";
import { parseDeadline } from "../../cli/deadline.js";
import { UsageError } from "../../cli/errors.js";

describe("lucius submit --deadline", () => {
  const now = new Date("2026-01-31T12:00:00.000Z");

  it.each([
    ["90s", "2026-01-31T12:01:30.000Z"],
    ["10m", "2026-01-31T12:10:00.000Z"],
    ["2h", "2026-01-31T14:00:00.000Z"],
    ["1d", "2026-02-01T12:00:00.000Z"],
  ])("takes the duration %s from now", (value, expected) => {
    expect(parseDeadline(value, now)).toBe(expected);
  });

  it("passes an RFC 3339 time on as given, offset and all", () => {
    expect(parseDeadline("2026-02-01T09:30:00+01:00", now)).toBe("2026-02-01T09:30:00+01:00");
    expect(parseDeadline("2026-02-01T08:30:00.250Z", now)).toBe("2026-02-01T08:30:00.250Z");
  });

  it.each(["soon", "10", "0s", "-5m", "2026-02-01", "2026-02-01 08:30:00Z", "2026-13-01T08:30:00Z", "1w"])("refuses %s", (value) => {
    expect(() => parseDeadline(value, now)).toThrow(UsageError);
  });
});
