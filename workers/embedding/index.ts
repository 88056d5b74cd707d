export { embeddingWorker, embeddingOutputFile, type EmbeddedChunk } from "./embedding-worker.js";
export { chunkPlan, chunkText, ChunkingDefaults, type Chunk, type ChunkPlan } from "./chunking.js";
export { hashingEmbed, hashingDimension, hashingModel } from "./hashing-embedder.js";
