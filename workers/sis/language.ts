import { languageNames, stopWords } from "./stop-words.js";

export interface LanguageGuess {
  /** ISO 639-1, or "und" (undetermined) when no language's stop words appear. */
  code: string;
  name: string;
  /** Share of stop-word hits that belong to the chosen language (0..1). */
  confidence: number;
}

/** The language whose stop words occur most often among `words` (lower-case). */
export function detectLanguage(words: readonly string[]): LanguageGuess {
  const hits = Object.entries(stopWords).map(([code, set]) => ({ code, count: words.filter((w) => set.has(w)).length }));
  const total = hits.reduce((sum, h) => sum + h.count, 0);
  const best = hits.reduce((a, b) => (b.count > a.count ? b : a));
  if (best.count === 0) return { code: "und", name: "undetermined", confidence: 0 };
  return { code: best.code, name: languageNames[best.code] ?? best.code, confidence: Math.round((best.count / total) * 100) / 100 };
}
