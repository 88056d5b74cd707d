import { DefaultAzureCredential } from "@azure/identity";
import { answerJson, azureRequest } from "../azure/request.js";
import type { OpenAiSettings } from "../runtime/settings.js";

/** GA data-plane API version of Azure OpenAI used for embeddings and chat completions. */
export const openAiApiVersion = "2024-10-21";

/**
 * A minimal Azure OpenAI data-plane client (no SDK is bundled): Entra ID bearer tokens from the
 * app's managed identity (`DefaultAzureCredential`, `AZURE_CLIENT_ID` selects a user-assigned
 * one, or the settings' `credential`), never keys. Answers are classified by {@link azureRequest}.
 */
export class AzureOpenAiClient {
  private readonly credential;
  constructor(private readonly settings: OpenAiSettings) {
    this.credential = settings.credential ?? new DefaultAzureCredential();
  }

  async call(deployment: string, operation: "embeddings" | "chat/completions", body: unknown, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.settings.endpoint}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${openAiApiVersion}`;
    const service = {
      name: `Azure OpenAI ${operation} on "${deployment}"`,
      credential: this.credential,
      ...(this.settings.wait ? { wait: this.settings.wait } : {}),
    };
    return answerJson(service, await azureRequest(service, url, { method: "POST", body: JSON.stringify(body), contentType: "application/json" }, signal));
  }
}
