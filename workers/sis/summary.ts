import type { Keyword } from "./keywords.js";
import { words } from "./keywords.js";

/** Sentences: split after . ! ? and at line breaks (OCR lines rarely end with a period). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\r?\n+/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => words(s).length > 0);
}

export interface SummaryOptions {
  /** @default 3 */
  maxSentences?: number;
  /** Caps the summary's whitespace tokens. */
  maxTokens?: number;
  /** Sentences holding an amount or a date weigh more (they carry a document's facts). */
  isFactual?: (sentence: string) => boolean;
}

/**
 * An extractive summary: sentences scored by the keyword frequencies of their words (divided by
 * the square root of their length, so long sentences do not win by size), a bonus for facts, the
 * best kept in document order.
 */
export function summarize(text: string, keywords: readonly Keyword[], options: SummaryOptions = {}): string {
  const all = sentences(text);
  const weight = new Map(keywords.map((k) => [k.term, k.count]));
  const scored = all.map((sentence, index) => {
    const ws = words(sentence);
    const base = ws.reduce((sum, w) => sum + (weight.get(w) ?? 0), 0) / Math.sqrt(Math.max(1, ws.length));
    return { sentence, index, score: base + (options.isFactual?.(sentence) ? 1 : 0) };
  });
  const chosen = [...scored]
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, options.maxSentences ?? 3)
    .sort((a, b) => a.index - b.index);
  const summary = chosen.map((c) => c.sentence).join(" ");
  if (options.maxTokens === undefined) return summary;
  const tokens = summary.split(/\s+/).filter(Boolean);
  return tokens.length <= options.maxTokens ? summary : `${tokens.slice(0, options.maxTokens).join(" ")} …`;
}
