import { SchemaIds, type EmbeddedChunk, type EmbeddingPayload } from "../../lib/worker-kit.js";
import { documentText } from "../text/read-text.js";
import type { StepWorker } from "../runtime/types.js";
import { chunkPlan, chunkText } from "./chunking.js";
import { embedderFor } from "./embedders.js";

/** File name written under a folder output_ref. */
export const embeddingOutputFile = "embeddings.jsonl";

export type { EmbeddedChunk };

/**
 * EMBEDDING: chunks the input text (OCR text or JSON, or plain text) into whitespace-token
 * windows and writes one JSONL line `{chunk_id, text, vector}` per chunk at the output_ref.
 */
export const embeddingWorker: StepWorker<EmbeddingPayload> = {
  name: "embeddingWorker",
  stepType: "EMBEDDING",
  subscription: "platform-embedding",
  payloadSchemaId: SchemaIds.embeddingPayload,
  async run({ directive, payload, refs, settings, signal, progress }) {
    const plan = chunkPlan(payload.chunking);
    const normalize = payload.normalize ?? true;
    const embedder = embedderFor(payload.model, normalize, settings.openAi);
    const input = await refs.readInput(directive.input_ref, signal);
    const { text, source } = documentText(input, "EMBEDDING");
    const chunks = chunkText(text, plan);

    let dimension = embedder.dimension ?? 0;
    // Lines go to storage batch by batch as they are embedded: the output is never held whole.
    async function* lines(): AsyncGenerator<string> {
      for (let i = 0; i < chunks.length; i += embedder.batchSize) {
        signal.throwIfAborted();
        const batch = chunks.slice(i, i + embedder.batchSize);
        const vectors = await embedder.embed(
          batch.map((c) => c.text),
          signal,
        );
        let text = "";
        batch.forEach((chunk, j) => {
          const row: EmbeddedChunk = { chunk_id: `chunk-${String(chunk.index).padStart(4, "0")}`, text: chunk.text, vector: vectors[j]! };
          dimension = row.vector.length;
          text += `${JSON.stringify(row)}\n`;
        });
        yield text;
        progress((i + batch.length) / chunks.length, { chunks_done: i + batch.length, chunks: chunks.length });
      }
    }
    const target = refs.outputUri(directive.output_ref, embeddingOutputFile);
    const written = await refs.write(target, lines(), "application/x-ndjson", signal);
    return {
      output_ref: written,
      metrics: {
        chunks: chunks.length,
        dimension,
        model: embedder.model,
        normalized: normalize,
        tokens: chunks.length === 0 ? 0 : text.split(/\s+/).filter(Boolean).length,
        max_tokens: plan.maxTokens,
        overlap_tokens: plan.overlapTokens,
        input_kind: source,
      },
    };
  },
};
