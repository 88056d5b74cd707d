/**
 * The one module of lib/ the workers app imports (the lint rule in eslint.config.js refuses any
 * other): what the workers share with the orchestrator — the contracts and their step-output
 * formats, refs, setting and topic names, the bus, telemetry — and nothing else, so the workers'
 * deployment closure (workers/scripts/build.mjs) stays what this file names. Add an export here
 * before a worker uses something new of lib.
 */
export { createBusSender, isBusError, replyMessage, type BusSender } from "./bus/index.js";
export { messageBody } from "./bus/messages.js";
export { sdkBindingSettlesItself } from "./bus/sdk-binding.js";
export { deadLetterWithReason } from "./bus/sdk-dead-letter.js";
export { AppSettingNames, TopicNames, WorkerSettingNames } from "./config/names.js";
export { ConfigurationError, loadSettings, positiveInt, type Settings } from "./config/settings.js";
export { issuesFromAjv } from "./contracts/ajv-issues.js";
export {
  ChunkingDefaults,
  chunkingIssues,
  chunkWindow,
  loadContracts,
  SchemaIds,
  type AckReply,
  type Contracts,
  type Directive,
  type DirectiveMessage,
  type EmbeddingChunking,
  type EmbeddingPayload,
  type HeartbeatReply,
  type OcrPayload,
  type Reply,
  type ReplyError,
  type ResultReply,
  type SisPayload,
  type Validation,
} from "./contracts/index.js";
export { compileSchemas } from "./contracts/schema-store.js";
export * from "./contracts/step-outputs.js";
export { contentTypeConflict, DocumentKind, documentMediaTypes, sniffDocumentKind } from "./documents/document-kind.js";
export {
  blobServiceClientFromEnv,
  inputAllowlistsFromEnv,
  isRefError,
  RefStore,
  refUri,
  RefUse,
  reservedFolder,
  type InputAllowlists,
  type InputDocument,
} from "./refs/index.js";
export { startAzureMonitor } from "./telemetry/azure-monitor.js";
export { recordDeadLettered } from "./telemetry/replies.js";
export { startWorkerAttempt } from "./telemetry/worker.js";
