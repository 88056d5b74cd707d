/**
 * The one source of resource and setting names. Code, devhost, tests and the
 * Bicep contract test all read these; nothing else spells them.
 */

/** Ledger tables in Azure Table Storage (DESIGN §5). */
export const TableNames = {
  jobs: "jobs",
  steps: "steps",
  idempotency: "idempotency",
  events: "events",
} as const;
export type TableNames = { [K in keyof typeof TableNames]: string };

/** Blob containers for document refs. */
export const ContainerNames = {
  inputs: "inputs",
  workspaces: "workspaces",
  outputs: "outputs",
} as const;

/** Service Bus topics (DESIGN §1). */
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
  /** Durable task hub name. */
  taskHub: "LUCIUS_TASK_HUB",
  /** Largest accepted command body, in bytes. */
  maxBodyBytes: "LUCIUS_MAX_BODY_BYTES",
  /** Number of routing lanes. */
  lanes: "LUCIUS_LANES",
  /** Prefix added to every ledger table name (test isolation, shared accounts). */
  tablePrefix: "LUCIUS_TABLE_PREFIX",
  /**
   * Multiplies every orchestration delay (ack and lease timeouts, retry backoff);
   * tests and demos scale the production defaults down.
   */
  timeScale: "LUCIUS_TIME_SCALE",
  /** Base URI of per-job workspaces (intermediate outputs); defaults to the storage account's `workspaces` container. */
  workspaceUri: "LUCIUS_WORKSPACE_URI",
  /** Application Insights connection string; telemetry is exported only when set. */
  appInsightsConnection: "APPLICATIONINSIGHTS_CONNECTION_STRING",
  /** `Authorization=AAD;ClientId=…` so telemetry is sent with the managed identity. */
  appInsightsAuth: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
} as const;

/**
 * OpenTelemetry metric instruments the app emits. The alert rules and the workbook in
 * `infra/modules/telemetry-names.bicep` query exactly these names (a contract test checks).
 */
export const MetricNames = {
  /** Counter: jobs that reached a terminal state; attribute `state`. */
  jobsTerminal: "lucius.jobs.terminal",
  /** Histogram, milliseconds: one step attempt from dispatch to its outcome; attribute `step_type`. */
  stepAttemptDuration: "lucius.step.attempt.duration",
  /** Counter: step attempts retried; attribute `cause`. */
  stepRetries: "lucius.step.retries",
  /** Counter: worker replies ignored (stale, duplicate, late); attribute `reason`. */
  repliesIgnored: "lucius.replies.ignored",
  /** Counter: messages the app sent to a dead-letter queue. */
  messagesDeadLettered: "lucius.messages.deadlettered",
} as const;

/** Attribute names carried by those metrics and by logs/events (queried by the workbook). */
export const TelemetryAttributeNames = {
  state: "state",
  stepType: "step_type",
  cause: "cause",
  jobId: "job_id",
} as const;
