import type { Keyword } from "../../lib/worker-kit.js";
import { stopWords } from "./stop-words.js";

export type { Keyword };

/** Lower-case words of at least two letters (numbers and punctuation are left out). */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize("NFKC")
      .match(/\p{L}[\p{L}'’-]*\p{L}|\p{L}/gu) ?? []
  ).filter((w) => w.length >= 2);
}

/**
 * Keywords by term frequency: words of three letters or more that are not stop words of the
 * document's language (English ones are always dropped too); ties keep document order.
 */
export function topKeywords(allWords: readonly string[], language: string, limit = 10): Keyword[] {
  const stop = new Set([...(stopWords.en ?? []), ...(stopWords[language] ?? [])]);
  const content = allWords.filter((w) => w.length >= 3 && !stop.has(w));
  const counts = new Map<string, number>();
  for (const w of content) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([term, count]) => ({ term, count, score: Math.round((count / content.length) * 1000) / 1000 }));
}
