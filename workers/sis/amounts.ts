import type { MonetaryAmount } from "../../lib/worker-kit.js";

export type { MonetaryAmount };

const symbols: Record<string, string> = { $: "USD", "€": "EUR", "£": "GBP", "¥": "JPY" };
const codes = "USD|EUR|GBP|CHF|JPY|CAD|AUD";
const number = String.raw`\d{1,3}(?:[.,'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const pattern = new RegExp(
  String.raw`(?<pc>[$€£¥]|\b(?:${codes}))\s?(?<pn>${number})(?![\d.,]*\d)|(?<![\d.,])(?<sn>${number})\s?(?<sc>[$€£¥]|(?:${codes})\b)`,
  "gu",
);

/**
 * The numeric value of an amount, for both conventions: the last of `.`/`,` is the decimal
 * mark when one or two digits follow it; a single separator followed by three digits groups
 * thousands ("1,234" and "1.234" are both 1234).
 */
export function parseAmount(raw: string): number {
  const cleaned = raw.replace(/['\u00a0\u202f]/g, "");
  const last = Math.max(cleaned.lastIndexOf("."), cleaned.lastIndexOf(","));
  if (last < 0) return Number(cleaned);
  const decimals = cleaned.length - last - 1;
  if (decimals === 3 || decimals === 0) return Number(cleaned.replace(/[.,]/g, ""));
  return Number(`${cleaned.slice(0, last).replace(/[.,]/g, "")}.${cleaned.slice(last + 1)}`);
}

/** Amounts with a currency symbol or ISO code before or after the number. */
export function findAmounts(text: string): MonetaryAmount[] {
  return [...text.matchAll(pattern)].map((m) => {
    const g = m.groups!;
    const currency = g.pc ?? g.sc!;
    return { text: m[0], value: parseAmount(g.pn ?? g.sn!), currency: symbols[currency] ?? currency, index: m.index };
  });
}
