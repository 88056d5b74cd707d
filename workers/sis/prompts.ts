import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/** System prompts for the Azure OpenAI analysis, by `prompt_set`. */
export const promptSets: Record<string, string> = {
  default:
    "You analyse business documents. Report the document's language (ISO 639-1), up to ten keywords, every monetary amount " +
    "(text, value, ISO 4217 currency), every calendar date (text, ISO 8601) and a summary of at most three sentences. " +
    "Use only facts stated in the document.",
  invoice:
    "You read invoices. Report the language (ISO 639-1), the issuer, the customer, the invoice number, every monetary amount " +
    "(text, value, ISO 4217 currency) marking the total due, every date (text, ISO 8601) marking the invoice and due dates, " +
    "and a one-sentence summary. Use only facts stated in the document.",
};

export const defaultPromptSet = "default";

/** Checks `prompt_set` (also offline, so a job behaves the same with or without Azure OpenAI). */
export function promptFor(promptSet: string | undefined): { name: string; system: string } {
  const name = promptSet ?? defaultPromptSet;
  const system = promptSets[name];
  if (!system) {
    throw new WorkerError(WorkerErrorCode.invalidPayload, `prompt_set "${name}" is unknown (known: ${Object.keys(promptSets).join(", ")})`);
  }
  return { name, system };
}
