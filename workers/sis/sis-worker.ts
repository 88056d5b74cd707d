import { SchemaIds, type SisPayload } from "../../lib/worker-kit.js";
import { documentText } from "../text/read-text.js";
import type { StepWorker } from "../runtime/types.js";
import { analysisText, analyze } from "./analyze.js";
import { chatAnalysis } from "./chat.js";
import { promptFor } from "./prompts.js";

/** File names written under a folder output_ref. */
export const SisOutputFiles = { json: "analysis.json", text: "analysis.txt" } as const;

/**
 * SIS (semantic analysis): language, keywords, monetary amounts, dates and an extractive
 * summary, offline; with an Azure OpenAI chat deployment configured, the model's analysis
 * (per prompt_set, temperature, max_tokens, response_format) is added as `model_output` and
 * its summary, when it gives one, replaces the extractive one.
 */
export const sisWorker: StepWorker<SisPayload> = {
  name: "sisWorker",
  stepType: "SIS",
  subscription: "platform-sis",
  payloadSchemaId: SchemaIds.sisPayload,
  async run({ directive, payload, refs, settings, signal, progress }) {
    const prompt = promptFor(payload.prompt_set);
    const format = payload.response_format ?? "JSON";
    const input = await refs.readInput(directive.input_ref, signal);
    const { text, source } = documentText(input, "SIS");
    progress(0.3, { phase: "analysing" });
    const analysis = analyze(text, payload.max_tokens !== undefined ? { maxTokens: payload.max_tokens } : {});
    const openAi = settings.openAi;
    const chat = openAi?.chatDeployment
      ? await chatAnalysis({ ...openAi, chatDeployment: openAi.chatDeployment }, prompt.system, text, payload, signal)
      : undefined;
    const modelSummary = chat && typeof chat.output === "object" && chat.output !== null ? (chat.output as { summary?: unknown }).summary : chat?.output;
    const result = {
      engine: chat?.model ?? "offline",
      prompt_set: prompt.name,
      ...analysis,
      ...(typeof modelSummary === "string" ? { summary: modelSummary, extractive_summary: analysis.summary } : {}),
      ...(chat ? { model_output: chat.output, truncated_input: chat.truncated_input } : {}),
    };
    const target = refs.outputUri(directive.output_ref, format === "JSON" ? SisOutputFiles.json : SisOutputFiles.text);
    const written =
      format === "JSON"
        ? await refs.write(target, JSON.stringify(result, null, 2), "application/json", signal)
        : await refs.write(target, analysisText({ ...analysis, summary: result.summary }), "text/plain; charset=utf-8", signal);
    return {
      output_ref: written,
      metrics: {
        engine: result.engine,
        language: analysis.language.code,
        keywords: analysis.keywords.length,
        amounts: analysis.amounts.length,
        dates: analysis.dates.length,
        sentences: analysis.sentences,
        input_kind: source,
      },
    };
  },
};
