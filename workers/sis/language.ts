import type { LanguageGuess } from "../../lib/worker-kit.js";
import { languageNames, stopWords } from "./stop-words.js";

export type { LanguageGuess };

/** The language whose stop words occur most often among `words` (lower-case). */
export function detectLanguage(words: readonly string[]): LanguageGuess {
  const hits = Object.entries(stopWords).map(([code, set]) => ({ code, count: words.filter((w) => set.has(w)).length }));
  const total = hits.reduce((sum, h) => sum + h.count, 0);
  const best = hits.reduce((a, b) => (b.count > a.count ? b : a));
  if (best.count === 0) return { code: "und", name: "undetermined", confidence: 0 };
  return { code: best.code, name: languageNames[best.code] ?? best.code, confidence: Math.round((best.count / total) * 100) / 100 };
}
