import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { OpenAiSettings } from "../runtime/settings.js";

/** GA data-plane API version of Azure OpenAI used for embeddings and chat completions. */
export const openAiApiVersion = "2024-10-21";
const scope = "https://cognitiveservices.azure.com/.default";
/** One request may not hold an attempt longer than this. */
const requestTimeoutMs = 120_000;

/**
 * A minimal Azure OpenAI data-plane client (no SDK is bundled): Entra ID bearer tokens from the
 * app's managed identity (`DefaultAzureCredential`, `AZURE_CLIENT_ID` selects a user-assigned
 * one), never keys. Throttling, timeouts, 5xx and 401/403 (role propagation) are RETRYABLE
 * `MODEL_UNAVAILABLE`; other 4xx are NON_RETRYABLE `MODEL_REJECTED`.
 */
export class AzureOpenAiClient {
  constructor(
    private readonly settings: OpenAiSettings,
    private readonly credential: TokenCredential = new DefaultAzureCredential(),
  ) {}

  async call(deployment: string, operation: "embeddings" | "chat/completions", body: unknown, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.settings.endpoint}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${openAiApiVersion}`;
    const unavailable = (why: string, cause?: unknown) => new WorkerError(WorkerErrorCode.modelUnavailable, `Azure OpenAI ${operation} on "${deployment}" ${why}`, undefined, { cause });
    let response: Response;
    try {
      const token = await this.credential.getToken(scope, signal ? { abortSignal: signal } : {});
      if (!token) throw unavailable("got no access token");
      const timeout = AbortSignal.timeout(requestTimeoutMs);
      response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted || error instanceof WorkerError) throw error;
      throw unavailable(`could not be reached: ${(error as Error).message}`, error);
    }
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as unknown;
    const detail = (() => {
      try {
        return String((JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text);
      } catch {
        return text;
      }
    })().slice(0, 300);
    if (response.status === 408 || response.status === 429 || response.status >= 500 || response.status === 401 || response.status === 403) {
      throw unavailable(`answered HTTP ${response.status}: ${detail}`);
    }
    throw new WorkerError(WorkerErrorCode.modelRejected, `Azure OpenAI ${operation} on "${deployment}" refused the request (HTTP ${response.status}): ${detail}`);
  }
}
