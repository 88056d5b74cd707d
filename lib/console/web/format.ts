/** "4.2 s", "3 min 05 s", "2 h 10 min": how long between two instants. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

/** How long ago, for a list: "12 s ago". */
export function age(iso: string, now = Date.now()): string {
  const text = duration(now - ms(iso));
  return text ? `${text} ago` : "";
}

/** A job's or step's run time: from its start to its end, or to now while it runs. */
export function span(from: string | undefined, to: string | undefined, now = Date.now()): string {
  if (!from) return "";
  return duration((to ? ms(to) : now) - ms(from));
}

/** An instant as local time with milliseconds, and the full ISO text for the title. */
export function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}
