import { UsageError } from "./errors.js";

const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `--deadline` as the API takes it (RFC 3339): an RFC 3339 time as given, or a duration from
 * `now` — `90s`, `10m`, `2h`, `1d`. Anything else is a usage error; a past time is left for the
 * API to refuse (422), which says so with the server's clock.
 */
export function parseDeadline(value: string, now: Date = new Date()): string {
  const duration = /^(\d+)(s|m|h|d)$/.exec(value);
  if (duration) {
    const ms = Number(duration[1]) * unitMs[duration[2] as keyof typeof unitMs];
    if (ms <= 0) throw new UsageError("--deadline must lie in the future");
    return new Date(now.getTime() + ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new UsageError(`--deadline must be an RFC 3339 time (2026-01-31T17:00:00Z) or a duration (90s, 10m, 2h, 1d), got "${value}"`);
}
