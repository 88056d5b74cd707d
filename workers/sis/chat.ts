import type { SisPayload } from "../../lib/worker-kit.js";
import { AzureOpenAiClient } from "../openai/client.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { OpenAiSettings } from "../runtime/settings.js";

/** Characters of document text sent to the model; longer documents are cut (and say so). */
const maxInputChars = 24_000;

export interface ChatAnalysis {
  model: string;
  /** Parsed JSON (response_format JSON) or the text answer. */
  output: unknown;
  truncated_input: boolean;
}

/** Asks the configured chat deployment for the analysis, honouring temperature, max_tokens and response_format. */
export async function chatAnalysis(
  settings: OpenAiSettings & { chatDeployment: string },
  system: string,
  text: string,
  payload: SisPayload,
  signal: AbortSignal,
): Promise<ChatAnalysis> {
  const json = (payload.response_format ?? "JSON") === "JSON";
  const truncated = text.length > maxInputChars;
  const answer = (await new AzureOpenAiClient(settings).call(
    settings.chatDeployment,
    "chat/completions",
    {
      messages: [
        { role: "system", content: json ? `${system} Answer with one JSON object.` : system },
        { role: "user", content: truncated ? text.slice(0, maxInputChars) : text },
      ],
      temperature: payload.temperature ?? 0.2,
      max_tokens: payload.max_tokens ?? 800,
      ...(json ? { response_format: { type: "json_object" } } : {}),
    },
    signal,
  )) as { choices?: Array<{ message?: { content?: string } }> };
  const content = answer.choices?.[0]?.message?.content;
  if (typeof content !== "string")
    throw new WorkerError(WorkerErrorCode.modelMalformedResponse, "Azure OpenAI chat/completions answered without choices[0].message.content");
  if (!json) return { model: `azure-openai:${settings.chatDeployment}`, output: content, truncated_input: truncated };
  try {
    return { model: `azure-openai:${settings.chatDeployment}`, output: JSON.parse(content) as unknown, truncated_input: truncated };
  } catch {
    throw new WorkerError(WorkerErrorCode.modelMalformedResponse, "Azure OpenAI did not answer with the JSON object response_format asks for");
  }
}
