import type { EmbeddingChunking } from "./types.gen.js";
import type { ValidationIssue } from "./validation.js";

/** EMBEDDING's chunking when the payload says nothing. */
export const ChunkingDefaults = { strategy: "whitespace", max_tokens: 200, overlap_tokens: 20 } as const;

/** The window a chunking payload asks for, defaults filled in. */
export interface ChunkWindow {
  maxTokens: number;
  overlapTokens: number;
}

/**
 * The window for `chunking`. Without `overlap_tokens` the overlap is the default, cut to stay
 * under half of `max_tokens`.
 */
export function chunkWindow(chunking: EmbeddingChunking | undefined): ChunkWindow {
  const maxTokens = chunking?.max_tokens ?? ChunkingDefaults.max_tokens;
  const overlapTokens = chunking?.overlap_tokens ?? Math.min(ChunkingDefaults.overlap_tokens, Math.ceil(maxTokens / 2) - 1);
  return { maxTokens, overlapTokens };
}

/**
 * The bound a JSON Schema cannot state: `overlap_tokens` below half of `max_tokens`, so every
 * window moves on by more than half of itself and each input token lands in at most two chunks.
 * The output then stays within a fixed multiple of the input (at most twice its text, and one
 * vector per more than max_tokens / 2 tokens). Pointers are under `base` (the step's payload).
 */
export function chunkingIssues(chunking: EmbeddingChunking | undefined, base: string): ValidationIssue[] {
  const { maxTokens, overlapTokens } = chunkWindow(chunking);
  if (overlapTokens * 2 < maxTokens) return [];
  return [
    { pointer: `${base}/chunking/overlap_tokens`, message: `must be less than half of max_tokens (${maxTokens}), so each token lands in at most two chunks` },
  ];
}

/** Cross-field bounds per step type, checked at intake after the step's schema; the worker checks them again. */
export function stepBoundIssues(stepType: string, payload: Record<string, unknown>, base: string): ValidationIssue[] {
  if (stepType === "EMBEDDING") return chunkingIssues(payload.chunking as EmbeddingChunking | undefined, base);
  return [];
}
