import { LuciusError } from "../errors.js";
import type { ValidationIssue } from "./validation.js";

export const ContractErrorCode = {
  /** A schema file is unreadable, has no `$id`, or does not compile. */
  schemaInvalid: "SCHEMA_INVALID",
  /** The protocol registry breaks its schema or a cross-reference rule. */
  registryInvalid: "REGISTRY_INVALID",
} as const;
export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode];

/** A problem with the shipped contracts themselves (never with a caller's input): start-up must stop. */
export class ContractError extends LuciusError {
  override readonly name: string = "ContractError";
  readonly retryable = false;
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The protocol registry is invalid; `message` names the source and the JSON pointer of every problem. */
export class RegistryError extends ContractError {
  override readonly name = "RegistryError";
  constructor(
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      ContractErrorCode.registryInvalid,
      [`Protocol registry ${source} is invalid:`, ...issues.map((i) => `  ${i.pointer || "/"}: ${i.message}`)].join("\n"),
    );
  }
}
