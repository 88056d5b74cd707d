import { WorkerSettingNames } from "../../lib/config/names.js";
import { ConfigurationError, positiveInt } from "../../lib/config/settings.js";
import { inputAllowlistsFromEnv, type InputAllowlists } from "../../lib/refs/index.js";

type Env = Record<string, string | undefined>;

/** Azure OpenAI, when configured: the endpoint and the deployments the workers call. */
export interface OpenAiSettings {
  endpoint: string;
  embeddingDeployment?: string;
  chatDeployment?: string;
}

/** What the workers read from the environment besides the shared settings. */
export interface WorkerSettings {
  /** https inputs outside the storage account: shared and per tenant. @default none */
  inputAllowlists: InputAllowlists;
  /** @default 52428800 (50 MiB) */
  maxInputBytes: number;
  /** Largest image OCR decodes (width × height). @default 40000000 (40 MP) */
  ocrMaxPixels: number;
  /** Most pages a PDF or TIFF may have for OCR, checked before any page is rendered. @default 200 */
  ocrMaxPages: number;
  /** Undefined: the offline embedder and analysis. */
  openAi?: OpenAiSettings;
}

/** Reads and checks the worker settings; a mistake is a {@link ConfigurationError} naming the setting. */
export function loadWorkerSettings(env: Env = process.env): WorkerSettings {
  const maxInputBytes = positiveInt(env, WorkerSettingNames.maxInputBytes, 50 * 1024 * 1024);
  const ocrMaxPixels = positiveInt(env, WorkerSettingNames.ocrMaxPixels, 40_000_000);
  const ocrMaxPages = positiveInt(env, WorkerSettingNames.ocrMaxPages, 200);
  const endpoint = env[WorkerSettingNames.openAiEndpoint]?.trim();
  let openAi: OpenAiSettings | undefined;
  if (endpoint) {
    if (!/^https:\/\/[^/\s]+\/?$/i.test(endpoint)) {
      throw new ConfigurationError(`${WorkerSettingNames.openAiEndpoint} must be an https origin like https://<name>.openai.azure.com, got "${endpoint}"`);
    }
    const embeddingDeployment = env[WorkerSettingNames.openAiEmbeddingDeployment]?.trim();
    const chatDeployment = env[WorkerSettingNames.openAiChatDeployment]?.trim();
    openAi = { endpoint: endpoint.replace(/\/+$/, ""), ...(embeddingDeployment ? { embeddingDeployment } : {}), ...(chatDeployment ? { chatDeployment } : {}) };
  }
  return { inputAllowlists: inputAllowlistsFromEnv(env), maxInputBytes, ocrMaxPixels, ocrMaxPages, ...(openAi ? { openAi } : {}) };
}
