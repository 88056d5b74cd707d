/** The `$id` of every shipped schema; `$ref`s and `payload_schema_ref`s use these, never file paths. */
export const SchemaIds = {
  common: "https://lucius.dev/contracts/common.v1.schema.json",
  ref: "https://lucius.dev/contracts/ref.v1.schema.json",
  commandEnvelope: "https://lucius.dev/contracts/command-envelope.v1.schema.json",
  directive: "https://lucius.dev/contracts/directive.v1.schema.json",
  reply: "https://lucius.dev/contracts/reply.v1.schema.json",
  ocrPayload: "https://lucius.dev/contracts/steps/ocr.v1.schema.json",
  embeddingPayload: "https://lucius.dev/contracts/steps/embedding.v1.schema.json",
  sisPayload: "https://lucius.dev/contracts/steps/sis.v1.schema.json",
  protocolRegistry: "https://lucius.dev/protocols/protocol-registry.v1.schema.json",
} as const;
export type SchemaId = (typeof SchemaIds)[keyof typeof SchemaIds];
