import { WorkerSettingNames } from "../../lib/worker-kit.js";
import { AzureOpenAiClient } from "../openai/client.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { OpenAiSettings } from "../runtime/settings.js";
import { hashingDimension, hashingEmbed, hashingModel } from "./hashing-embedder.js";

/** Embeds a batch of texts; `dimension` is known after the first call for remote models. */
export interface Embedder {
  model: string;
  /** Texts per call. */
  batchSize: number;
  embed(texts: string[], signal: AbortSignal): Promise<number[][]>;
}

function l2(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}

function azureEmbedder(settings: OpenAiSettings, deployment: string, normalize: boolean): Embedder {
  const client = new AzureOpenAiClient(settings);
  return {
    model: `azure-openai:${deployment}`,
    batchSize: 16,
    async embed(texts, signal) {
      const answer = (await client.call(deployment, "embeddings", { input: texts }, signal)) as { data?: Array<{ index: number; embedding: number[] }> };
      const rows = Array.isArray(answer.data) ? [...answer.data].sort((a, b) => a.index - b.index) : [];
      if (rows.length !== texts.length || rows.some((row) => !Array.isArray(row.embedding) || row.embedding.some((v) => typeof v !== "number"))) {
        throw new WorkerError(
          WorkerErrorCode.modelMalformedResponse,
          `Azure OpenAI embeddings answered ${rows.length} well-formed embeddings for ${texts.length} texts`,
        );
      }
      return rows.map((row) => (normalize ? l2(row.embedding) : row.embedding));
    },
  };
}

/**
 * The embedder for a payload's `model`: unset → the configured Azure OpenAI embeddings
 * deployment, else the offline hashing embedder; `lucius-hash-256` → offline; any other name →
 * that Azure OpenAI deployment (NON_RETRYABLE when no endpoint is configured).
 */
export function embedderFor(model: string | undefined, normalize: boolean, openAi: OpenAiSettings | undefined): Embedder & { dimension?: number } {
  const offline = {
    model: hashingModel,
    dimension: hashingDimension,
    batchSize: 64,
    embed: async (texts: string[]) => texts.map((t) => hashingEmbed(t, normalize)),
  };
  if (model === hashingModel) return offline;
  if (model === undefined) return openAi?.embeddingDeployment ? azureEmbedder(openAi, openAi.embeddingDeployment, normalize) : offline;
  if (!openAi) {
    throw new WorkerError(
      WorkerErrorCode.modelRejected,
      `model "${model}" needs Azure OpenAI (${WorkerSettingNames.openAiEndpoint} is not set); the offline model is "${hashingModel}"`,
    );
  }
  return azureEmbedder(openAi, model, normalize);
}
