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
  reviewPayload: "https://lucius.dev/contracts/steps/review.v1.schema.json",
  protocolRegistry: "https://lucius.dev/protocols/protocol-registry.v1.schema.json",
  // The read API's answers (contracts/api/): what the handlers return, the OpenAPI document serves and the tests check.
  jobView: "https://lucius.dev/contracts/api/job-view.v1.schema.json",
  stepView: "https://lucius.dev/contracts/api/step-view.v1.schema.json",
  jobSteps: "https://lucius.dev/contracts/api/job-steps.v1.schema.json",
  jobEvent: "https://lucius.dev/contracts/api/event.v1.schema.json",
  jobPage: "https://lucius.dev/contracts/api/job-page.v1.schema.json",
  eventPage: "https://lucius.dev/contracts/api/event-page.v1.schema.json",
  jobAccepted: "https://lucius.dev/contracts/api/accepted.v1.schema.json",
  jobLinks: "https://lucius.dev/contracts/api/job-links.v1.schema.json",
  jobState: "https://lucius.dev/contracts/api/job-state.v1.schema.json",
  failure: "https://lucius.dev/contracts/api/failure.v1.schema.json",
  problem: "https://lucius.dev/contracts/api/problem.v1.schema.json",
} as const;
export type SchemaId = (typeof SchemaIds)[keyof typeof SchemaIds];
