export { loadContracts, type Contracts, type LoadContractsOptions } from "./load.js";
export { ContractError, ContractErrorCode, RegistryError } from "./errors.js";
export { SchemaIds, type SchemaId } from "./schema-ids.js";
export type { SchemaObject } from "./schema-store.js";
export type { StepPayloads } from "./step-payloads.js";
export { ChunkingDefaults, chunkingIssues, chunkWindow, type ChunkWindow } from "./step-bounds.js";
export type { Validation, ValidationIssue } from "./validation.js";
export type * from "./types.gen.js";
