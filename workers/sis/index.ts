export { sisWorker, SisOutputFiles } from "./sis-worker.js";
export { analyze, analysisText, type Analysis } from "./analyze.js";
export { findAmounts, parseAmount, type MonetaryAmount } from "./amounts.js";
export { findDates, type FoundDate } from "./dates.js";
export { detectLanguage, type LanguageGuess } from "./language.js";
export { summarize, sentences } from "./summary.js";
export { promptSets, promptFor } from "./prompts.js";
