import type { Analysis } from "../../lib/worker-kit.js";
import { findAmounts } from "./amounts.js";
import { findDates } from "./dates.js";
import { topKeywords, words } from "./keywords.js";
import { detectLanguage } from "./language.js";
import { sentences, summarize } from "./summary.js";

export type { Analysis };

export function analyze(text: string, options: { maxTokens?: number } = {}): Analysis {
  const all = words(text);
  const language = detectLanguage(all);
  const keywords = topKeywords(all, language.code);
  const amounts = findAmounts(text);
  const dates = findDates(text);
  const isFactual = (sentence: string) => findAmounts(sentence).length > 0 || findDates(sentence).length > 0;
  return {
    language,
    keywords,
    amounts,
    dates,
    summary: summarize(text, keywords, { isFactual, ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}) }),
    sentences: sentences(text).length,
    characters: text.length,
  };
}

/** The analysis as a short plain-text report (`response_format: "TEXT"`). */
export function analysisText(a: Analysis): string {
  return [
    `Language: ${a.language.name} (${a.language.code})`,
    `Summary: ${a.summary}`,
    `Keywords: ${a.keywords.map((k) => k.term).join(", ")}`,
    `Amounts: ${a.amounts.map((m) => `${m.text} (${m.value} ${m.currency})`).join("; ") || "none"}`,
    `Dates: ${a.dates.map((d) => `${d.text} (${d.iso})`).join("; ") || "none"}`,
    "",
  ].join("\n");
}
