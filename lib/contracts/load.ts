import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { contractsDir as defaultContractsDir, protocolsDir as defaultProtocolsDir } from "../paths.js";
import { issuesFromAjv } from "./ajv-issues.js";
import { ContractError, ContractErrorCode, RegistryError } from "./errors.js";
import { registryRuleIssues } from "./registry-rules.js";
import { SchemaIds } from "./schema-ids.js";
import { compileSchemas, readSchemas, type SchemaObject } from "./schema-store.js";
import { splitStepPayloads, type StepPayloads } from "./step-payloads.js";
import type { CommandEnvelope, DirectiveMessage, Protocol, ProtocolRegistry, Reply } from "./types.gen.js";
import type { Validation } from "./validation.js";

/** The compiled contracts: build once at start-up with {@link loadContracts}, then share. */
export interface Contracts {
  /** The validated protocol registry. */
  readonly registry: ProtocolRegistry;
  /** Every schema by `$id` (contracts/ and protocols/), e.g. to build the OpenAPI document. */
  readonly schemas: ReadonlyMap<string, SchemaObject>;
  /** Validates a POST /v1/commands body against command-envelope.v1; pointers are into the body. */
  validateEnvelope(body: unknown): Validation<CommandEnvelope>;
  /** The protocol serving `requestType` (exact, case-sensitive match), if any. */
  resolveProtocol(requestType: string): Protocol | undefined;
  /** Splits and validates `envelope.payload` per step; see {@link splitStepPayloads} for the rules. */
  stepPayloads(envelope: CommandEnvelope, protocol: Protocol): Validation<StepPayloads>;
  /** Validates a DIRECTIVE or CANCEL message. */
  validateDirective(message: unknown): Validation<DirectiveMessage>;
  /** Validates an ACK, HEARTBEAT or RESULT reply. */
  validateReply(message: unknown): Validation<Reply>;
}

export interface LoadContractsOptions {
  /** @default the package's contracts/ */
  contractsDir?: string;
  /** @default the package's protocols/ */
  protocolsDir?: string;
  /** A registry document, or the path of one, instead of `<protocolsDir>/registry.v1.json`. */
  registry?: unknown;
}

function validator<T>(validate: ValidateFunction): (value: unknown) => Validation<T> {
  return (value) => (validate(value) ? { ok: true, value: value as T } : { ok: false, errors: issuesFromAjv(validate.errors) });
}

function readRegistry(option: unknown, protocolsDir: string): { source: string; document: unknown } {
  if (option !== undefined && typeof option !== "string") return { source: "(given object)", document: option };
  const file = option ?? join(protocolsDir, "registry.v1.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RegistryError(file, [{ pointer: "", message: `cannot be read: ${(error as Error).message}` }]);
  }
  try {
    return { source: file, document: JSON.parse(text) };
  } catch (error) {
    throw new RegistryError(file, [{ pointer: "", message: `is not valid JSON: ${(error as Error).message}` }]);
  }
}

/**
 * Reads and compiles every schema and the protocol registry. Throws {@link RegistryError} (code
 * `REGISTRY_INVALID`) naming the file and the JSON pointer of each problem when the registry
 * breaks its schema or a cross-reference rule, and `ContractError` (`SCHEMA_INVALID`) when a
 * schema is broken — so a bad deployment stops at start-up, never at the first request.
 */
export function loadContracts(options: LoadContractsOptions = {}): Contracts {
  const protocolsDir = options.protocolsDir ?? defaultProtocolsDir;
  const schemas = readSchemas([options.contractsDir ?? defaultContractsDir, protocolsDir]);
  const validators = compileSchemas(schemas);
  const compiled = (id: string): ValidateFunction => {
    const found = validators.get(id);
    if (!found) throw new ContractError(ContractErrorCode.schemaInvalid, `Required schema ${id} is missing`);
    return found;
  };

  const { source, document } = readRegistry(options.registry, protocolsDir);
  const checkRegistry = compiled(SchemaIds.protocolRegistry);
  if (!checkRegistry(document)) throw new RegistryError(source, issuesFromAjv(checkRegistry.errors));
  const registry = document as ProtocolRegistry;
  const ruleIssues = registryRuleIssues(registry, new Set(schemas.keys()));
  if (ruleIssues.length > 0) throw new RegistryError(source, ruleIssues);

  const byRequestType = new Map(registry.protocols.flatMap((p) => p.request_types.map((t) => [t, p] as const)));
  return {
    registry,
    schemas,
    validateEnvelope: validator<CommandEnvelope>(compiled(SchemaIds.commandEnvelope)),
    resolveProtocol: (requestType) => byRequestType.get(requestType),
    stepPayloads: (envelope, protocol) => splitStepPayloads(envelope, protocol, schemas, validators),
    validateDirective: validator<DirectiveMessage>(compiled(SchemaIds.directive)),
    validateReply: validator<Reply>(compiled(SchemaIds.reply)),
  };
}
