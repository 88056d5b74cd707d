/**
 * The one source of resource and setting names. Code, devhost, tests and the
 * Bicep contract test all read these; nothing else spells them.
 */

/** Ledger tables in Azure Table Storage (layout: docs/architecture.md, "Ledger layout"). */
export const TableNames = {
  /** One partition per job: the job row, its steps and its events. */
  jobs: "jobs",
  /** One partition per tenant: the newest-first listing of its jobs and its idempotency reservations. */
  tenantIndex: "tenantindex",
  /** In-flight job counters per tenant and overall (backpressure). */
  inflight: "inflight",
} as const;
export type TableNames = { [K in keyof typeof TableNames]: string };

/** Blob containers for document refs. */
export const ContainerNames = {
  inputs: "inputs",
  workspaces: "workspaces",
  outputs: "outputs",
} as const;

/** Service Bus topics (docs/architecture.md, "Contracts and the bus"). */
export const TopicNames = {
  directives: "directives",
  replies: "replies",
} as const;

/** Subscriptions per topic: one per worker service on `directives`, one for the orchestrator on `replies`. */
export const SubscriptionNames = {
  directives: ["platform-ocr", "platform-embedding", "platform-sis"],
  replies: ["orchestrator"],
} as const;

/** Environment (app setting) names the code reads. */
export const AppSettingNames = {
  /** Storage for the ledger; a connection string locally, or `__tableServiceUri` / `__accountName` with managed identity. */
  storage: "AzureWebJobsStorage",
  /** Service Bus; a connection string, or `__fullyQualifiedNamespace` with managed identity. */
  serviceBus: "ServiceBusConnection",
  /** `servicebus` (default) or `devhost`. */
  busMode: "LUCIUS_BUS_MODE",
  /** Base URL of devhost's admin API when `LUCIUS_BUS_MODE=devhost`. */
  devhostUrl: "LUCIUS_DEVHOST_URL",
  /** devhost's key, sent as `x-functions-key` to its admin API (devhost sets it for the app). */
  devhostKey: "LUCIUS_DEVHOST_KEY",
  /** Durable task hub name. */
  taskHub: "LUCIUS_TASK_HUB",
  /** Largest accepted command body, in bytes. */
  maxBodyBytes: "LUCIUS_MAX_BODY_BYTES",
  /** Number of routing lanes. */
  lanes: "LUCIUS_LANES",
  /** Prefix added to every ledger table name (test isolation, shared accounts). */
  tablePrefix: "LUCIUS_TABLE_PREFIX",
  /**
   * JSON overriding the orchestrator's step defaults, e.g.
   * `{"ack_seconds":1,"lease_seconds":3,"max_attempts":3,"backoff_seconds":[0.2,0.4]}`;
   * tests and demos shrink them. Registry overrides still win.
   */
  stepDefaults: "LUCIUS_STEP_DEFAULTS",
  /**
   * Path of a protocol registry to load instead of the shipped protocols/registry.v1.json;
   * tests give protocols of their own (e.g. a review that times out in seconds). Not deployed.
   */
  protocolRegistry: "LUCIUS_PROTOCOL_REGISTRY",
  /** Jobs one tenant may have in flight; over it, POST /v1/commands answers 429. */
  tenantInFlightLimit: "LUCIUS_TENANT_INFLIGHT_LIMIT",
  /** JSON object of per-tenant limits, e.g. `{"big-tenant": 500}`. */
  tenantInFlightOverrides: "LUCIUS_TENANT_INFLIGHT_OVERRIDES",
  /** Jobs the whole app may have in flight. */
  globalInFlightLimit: "LUCIUS_GLOBAL_INFLIGHT_LIMIT",
  /** Jobs younger than this (seconds since their last change) are left alone by the reconciler. */
  reconcileGraceSeconds: "LUCIUS_RECONCILE_GRACE_SECONDS",
  /** `REPLY_IGNORED` events recorded per step; ignored replies past it are counted (metric) only. */
  replyIgnoredEventsPerStep: "LUCIUS_REPLY_IGNORED_EVENTS_PER_STEP",
  /** Base URI of per-job workspaces (intermediate outputs); defaults to the storage account's `workspaces` container. */
  workspaceUri: "LUCIUS_WORKSPACE_URI",
  /** Application Insights connection string; telemetry is exported only when set. */
  appInsightsConnection: "APPLICATIONINSIGHTS_CONNECTION_STRING",
  /** `Authorization=AAD;ClientId=…` so telemetry is sent with the managed identity. */
  appInsightsAuth: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  /**
   * API keys for machine clients (and devhost): JSON `[{ "name", "sha256", "tenants" }]` (or that JSON
   * base64-encoded), `sha256` the hex SHA-256 of the key, `tenants` tenant ids or `["*"]`. Hashes only.
   */
  apiKeys: "LUCIUS_API_KEYS",
  /** Prefix of the Entra app roles that grant tenants: `<prefix><tenant_id>`, `<prefix>All`. @default "Tenant." */
  tenantRolePrefix: "LUCIUS_TENANT_ROLE_PREFIX",
  /** Claim type that carries those roles in `x-ms-client-principal`. @default the principal's role_typ and "roles" */
  tenantClaim: "LUCIUS_TENANT_CLAIM",
  /**
   * Comma-separated https URL prefixes (`https://host[:port][/path]`, host may start with `*.`)
   * that input refs outside the storage account may come from, for every tenant. Empty: none.
   * Read by intake and by the workers (both check every ref).
   */
  inputAllowlist: "LUCIUS_INPUT_ALLOWLIST",
  /**
   * JSON object of tenant id → https URL prefixes (array, or one comma-separated string) that
   * only that tenant's inputs may come from, on top of {@link AppSettingNames.inputAllowlist}. Read by intake and the workers.
   */
  tenantInputAllowlists: "LUCIUS_TENANT_INPUT_ALLOWLISTS",
  /** Tests only: trust `x-ms-client-principal` without App Service authentication in front (anyone could forge it). */
  trustClientPrincipal: "LUCIUS_TRUST_CLIENT_PRINCIPAL",
} as const;

/** Variables the App Service platform sets; the app reads them, infra never sets them. */
export const PlatformSettingNames = {
  /** "True" when App Service authentication (Easy Auth) runs in front of the app. */
  authEnabled: "WEBSITE_AUTH_ENABLED",
  /** Set on every App Service instance; its absence means the app is not on App Service. */
  instanceId: "WEBSITE_INSTANCE_ID",
} as const;

/**
 * OpenTelemetry metric instruments the app emits. The alert rules and the workbook in
 * `infra/modules/telemetry-names.bicep` query exactly these names (a contract test checks).
 */
export const MetricNames = {
  /** Counter: commands accepted at intake (new jobs, and idempotent replays); attribute `outcome` (`created` | `replayed`). */
  commandsAccepted: "lucius.commands.accepted",
  /** Counter: commands refused at intake; attribute `reason` (the problem type's slug, e.g. `validation-failed`). */
  commandsRejected: "lucius.commands.rejected",
  /** Counter: jobs that reached a terminal state; attribute `state`. */
  jobsTerminal: "lucius.jobs.terminal",
  /** Gauge: jobs in flight (admitted, not yet terminal); attribute `tenant_id`. */
  jobsInFlight: "lucius.jobs.inflight",
  /** Histogram, milliseconds: one step attempt from dispatch to its outcome; attributes `step_type`, `outcome`. */
  stepAttemptDuration: "lucius.step.attempt.duration",
  /** Histogram, milliseconds: from dispatch to the worker's ACK; attribute `step_type`. */
  stepAckLatency: "lucius.step.ack.latency",
  /** Counter: step attempts retried; attributes `cause` (`ack_timeout` | `lease_expired` | `retryable_failure`), `step_type`. */
  stepRetries: "lucius.step.retries",
  /** Counter: worker replies ignored (stale, duplicate, late); attributes `reason`, `reply_type`. */
  repliesIgnored: "lucius.replies.ignored",
  /** Counter: messages the app sent to a dead-letter queue; attributes `topic`, `reason`. */
  messagesDeadLettered: "lucius.messages.deadlettered",
  /** Counter: disagreements between ledger and orchestrations (or in-flight counters) the reconciler repaired; attribute `kind`. */
  driftRepaired: "lucius.drift.repaired",
  /** Histogram, milliseconds: a job from acceptance to its terminal state; attributes `protocol_id`, `outcome` (the terminal state). */
  jobDuration: "lucius.job.duration",
  /** Counter: jobs that ended FAILED because their deadline passed (DEADLINE_EXCEEDED); attribute `protocol_id`. */
  jobsDeadlineMissed: "lucius.jobs.deadline_missed",
  /** Histogram, milliseconds: a review step from AWAITING_APPROVAL to its end; attribute `decision` (`approve` | `reject` | `cancelled`). */
  reviewWait: "lucius.review.wait",
  /** Counter: review steps that began to wait for a person (the review queue grows by one); attribute `protocol_id`. */
  reviewsOpened: "lucius.reviews.opened",
} as const;

/** Attribute names carried by those metrics and by logs/events (queried by the workbook). */
export const TelemetryAttributeNames = {
  state: "state",
  stepType: "step_type",
  cause: "cause",
  jobId: "job_id",
  stepId: "step_id",
  attemptNo: "attempt_no",
  tenantId: "tenant_id",
  correlationId: "correlation_id",
  reason: "reason",
  outcome: "outcome",
  topic: "topic",
  replyType: "reply_type",
  /** Who called: `apiKey:<key name>` or `entra:<object id>`. */
  caller: "caller",
  protocolId: "protocol_id",
  /** A review's end: `approve`, `reject` or `cancelled`. */
  decision: "decision",
} as const;

/**
 * App settings only the workers Function App reads (workers/, lib/refs/). Infra sets them on
 * the workers app, not the orchestrator; test/unit/workers-infra.test.ts checks both ways.
 */
export const WorkerSettingNames = {
  /** Largest input document a worker reads, in bytes. */
  maxInputBytes: "LUCIUS_MAX_INPUT_BYTES",
  /** Largest image OCR decodes, in pixels (width × height from the file's header). */
  ocrMaxPixels: "LUCIUS_OCR_MAX_PIXELS",
  /** Most pages a PDF or TIFF may have for OCR (checked before rendering any). */
  ocrMaxPages: "LUCIUS_OCR_MAX_PAGES",
  /** Azure OpenAI endpoint (`https://<name>.openai.azure.com`); unset → the offline embedder and analysis. */
  openAiEndpoint: "LUCIUS_OPENAI_ENDPOINT",
  /** Azure OpenAI embeddings deployment used by EMBEDDING when the endpoint is set. */
  openAiEmbeddingDeployment: "LUCIUS_OPENAI_EMBEDDING_DEPLOYMENT",
  /** Azure AI Document Intelligence endpoint (`https://<name>.cognitiveservices.azure.com`); unset → OCR with the offline engine. */
  documentIntelligenceEndpoint: "LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT",
  /** Azure OpenAI chat deployment used by SIS when the endpoint is set. */
  openAiChatDeployment: "LUCIUS_OPENAI_CHAT_DEPLOYMENT",
} as const;
