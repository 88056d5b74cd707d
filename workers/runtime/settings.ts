import type { TokenCredential } from "@azure/identity";
import { ConfigurationError, inputAllowlistsFromEnv, positiveInt, WorkerSettingNames, type InputAllowlists } from "../../lib/worker-kit.js";
import type { Wait } from "../azure/request.js";

type Env = Record<string, string | undefined>;

/** How an Azure AI service is reached: its endpoint, and (tests only) a credential and a wait other than the defaults. */
export interface AzureServiceSettings {
  /** An https origin (http is accepted for loopback stand-ins only). */
  endpoint: string;
  /** @default DefaultAzureCredential (the app's managed identity) */
  credential?: TokenCredential;
  /** @default a timer; throttling waits through it */
  wait?: Wait;
}

/** Azure OpenAI, when configured: the endpoint and the deployments the workers call. */
export interface OpenAiSettings extends AzureServiceSettings {
  embeddingDeployment?: string;
  chatDeployment?: string;
}

/** Azure AI Document Intelligence, when configured: OCR of page images with the `prebuilt-read` model. */
export type DocumentIntelligenceSettings = AzureServiceSettings;

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
  /** Undefined: OCR with the offline engine (tesseract.js). */
  documentIntelligence?: DocumentIntelligenceSettings;
}

/** Loopback hosts, the only ones an endpoint may name over plain http (stand-ins in tests and local runs). */
const loopbackHttp = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/i;

/** An endpoint setting: an https origin, or http on a loopback host; undefined when unset. */
function endpointSetting(env: Env, name: string, example: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!/^https:\/\/[^/\s]+\/?$/i.test(value) && !loopbackHttp.test(value))
    throw new ConfigurationError(`${name} must be an https origin like ${example}, got "${value}"`);
  return value.replace(/\/+$/, "");
}

/** Reads and checks the worker settings; a mistake is a {@link ConfigurationError} naming the setting. */
export function loadWorkerSettings(env: Env = process.env): WorkerSettings {
  const maxInputBytes = positiveInt(env, WorkerSettingNames.maxInputBytes, 50 * 1024 * 1024);
  const ocrMaxPixels = positiveInt(env, WorkerSettingNames.ocrMaxPixels, 40_000_000);
  const ocrMaxPages = positiveInt(env, WorkerSettingNames.ocrMaxPages, 200);
  const endpoint = endpointSetting(env, WorkerSettingNames.openAiEndpoint, "https://<name>.openai.azure.com");
  let openAi: OpenAiSettings | undefined;
  if (endpoint) {
    const embeddingDeployment = env[WorkerSettingNames.openAiEmbeddingDeployment]?.trim();
    const chatDeployment = env[WorkerSettingNames.openAiChatDeployment]?.trim();
    openAi = { endpoint, ...(embeddingDeployment ? { embeddingDeployment } : {}), ...(chatDeployment ? { chatDeployment } : {}) };
  }
  const documentIntelligenceEndpoint = endpointSetting(env, WorkerSettingNames.documentIntelligenceEndpoint, "https://<name>.cognitiveservices.azure.com");
  return {
    inputAllowlists: inputAllowlistsFromEnv(env),
    maxInputBytes,
    ocrMaxPixels,
    ocrMaxPages,
    ...(openAi ? { openAi } : {}),
    ...(documentIntelligenceEndpoint ? { documentIntelligence: { endpoint: documentIntelligenceEndpoint } } : {}),
  };
}
