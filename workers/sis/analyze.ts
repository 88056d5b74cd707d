import { findAmounts, type MonetaryAmount } from "./amounts.js";
import { findDates, type FoundDate } from "./dates.js";
import { topKeywords, words, type Keyword } from "./keywords.js";
import { detectLanguage, type LanguageGuess } from "./language.js";
import { sentences, summarize } from "./summary.js";

/** The offline analysis of one text. */
export interface Analysis {
  language: LanguageGuess;
  keywords: Keyword[];
  amounts: MonetaryAmount[];
  dates: FoundDate[];
  summary: string;
  sentences: number;
  characters: number;
}

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
