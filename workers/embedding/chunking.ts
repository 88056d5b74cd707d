import { ChunkingDefaults, chunkingIssues, chunkWindow, type EmbeddingChunking } from "../../lib/worker-kit.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { tokenSpans } from "../text/tokens.js";

export { ChunkingDefaults };

/** Strategies accepted; all mean the same sliding window over whitespace tokens. */
const strategies = new Set(["whitespace", "tokens", "fixed", "fixed_tokens", "sliding_window"]);

export interface Chunk {
  index: number;
  /** The text from the chunk's first token to its last, line breaks included. */
  text: string;
  tokens: number;
}

export interface ChunkPlan {
  maxTokens: number;
  overlapTokens: number;
}

export function chunkPlan(chunking: EmbeddingChunking | undefined): ChunkPlan {
  const strategy = chunking?.strategy ?? ChunkingDefaults.strategy;
  if (!strategies.has(strategy.toLowerCase())) {
    throw new WorkerError(WorkerErrorCode.invalidPayload, `chunking.strategy "${strategy}" is not supported (use "whitespace")`);
  }
  // Intake refuses the same; a directive sent by anyone else is checked here again.
  const [issue] = chunkingIssues(chunking, "/payload");
  if (issue) throw new WorkerError(WorkerErrorCode.invalidPayload, `${issue.pointer} ${issue.message}`);
  return chunkWindow(chunking);
}

/**
 * A sliding window over whitespace tokens (a token is a run of non-space characters): windows
 * of `maxTokens`, each starting `maxTokens - overlapTokens` after the previous, the last one
 * ending at the text's end. n tokens give 0 chunks when n = 0, else
 * 1 + ceil(max(0, n - maxTokens) / (maxTokens - overlapTokens)).
 */
export function chunkText(text: string, plan: ChunkPlan): Chunk[] {
  const spans = tokenSpans(text);
  const chunks: Chunk[] = [];
  const stride = plan.maxTokens - plan.overlapTokens;
  for (let start = 0; start < spans.length; start += stride) {
    const end = Math.min(spans.length, start + plan.maxTokens);
    chunks.push({ index: chunks.length, text: text.slice(spans[start]!.start, spans[end - 1]!.end), tokens: end - start });
    if (end === spans.length) break;
  }
  return chunks;
}
