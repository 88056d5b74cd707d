import type { FoundDate } from "../../lib/worker-kit.js";

export type { FoundDate };

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const month = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`;
const ordinal = "(?:st|nd|rd|th)?";

const patterns: Array<{ regex: RegExp; read: (m: RegExpMatchArray) => { y: number; mo: number; d: number; ambiguous?: boolean } }> = [
  { regex: /\b(\d{4})-(\d{2})-(\d{2})\b/g, read: (m) => ({ y: +m[1]!, mo: +m[2]!, d: +m[3]! }) },
  { regex: new RegExp(String.raw`\b(${month})\.?\s+(\d{1,2})${ordinal},?\s+(\d{4})\b`, "gi"), read: (m) => ({ y: +m[3]!, mo: monthOf(m[1]!), d: +m[2]! }) },
  { regex: new RegExp(String.raw`\b(\d{1,2})${ordinal}\s+(${month})\.?,?\s+(\d{4})\b`, "gi"), read: (m) => ({ y: +m[3]!, mo: monthOf(m[2]!), d: +m[1]! }) },
  {
    regex: /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g,
    read: (m) => {
      const a = +m[1]!;
      const b = +m[2]!;
      return a > 12 ? { y: +m[3]!, mo: b, d: a } : { y: +m[3]!, mo: a, d: b, ambiguous: b <= 12 && a !== b };
    },
  },
  { regex: /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g, read: (m) => ({ y: +m[3]!, mo: +m[2]!, d: +m[1]! }) },
];

function monthOf(name: string): number {
  return monthNames.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function valid(y: number, mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Calendar dates: ISO (2026-03-03), "March 3, 2026", "3 March 2026", "03/04/2026" (month first
 * unless the first number exceeds 12; flagged ambiguous) and "03.04.2026" (day first).
 * Impossible dates are left out; overlapping matches keep the first.
 */
export function findDates(text: string): FoundDate[] {
  const found: FoundDate[] = [];
  for (const { regex, read } of patterns) {
    for (const m of text.matchAll(regex)) {
      const { y, mo, d, ambiguous } = read(m);
      if (!valid(y, mo, d)) continue;
      const end = m.index + m[0].length;
      if (found.some((f) => m.index < f.index + f.text.length && f.index < end)) continue;
      found.push({ text: m[0], iso: `${pad(y, 4)}-${pad(mo)}-${pad(d)}`, index: m.index, ...(ambiguous ? { ambiguous } : {}) });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}
