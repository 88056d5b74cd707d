import { checkAnswersFrom } from "./api-contract-fetch.js";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { defaultComponents } from "../../devhost/default-components.js";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { packageRoot } from "../../lib/paths.js";
import { azuriteConnectionString } from "./storage.js";
import { apiKeysSetting, newTestKey } from "./auth.js";
import * as df from "durable-functions";
import { durableClientBinding } from "../../devhost/durable/client-binding.js";
import { tableNames } from "../../lib/config/settings.js";
import { durableJobController } from "../../lib/intake/job-starter.js";
import { Ledger } from "../../lib/ledger/index.js";
import { reconcile, type Repair } from "../../lib/reconcile/reconcile.js";
import { invocationContext } from "./http.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "./tenant-refs.js";

/** One attempt's behaviour in the scripted worker (test/fixtures/scripted-worker/worker.js). */
export interface ScriptedAttempt {
  do:
    | "succeed"
    | "fail-retryable"
    | "fail-non-retryable"
    | "no-ack"
    | "ack-then-silence"
    | "heartbeat-past-lease"
    | "reply-twice"
    | "old-lease"
    | "garbage"
    | "hold"
    | "claim-output"
    | "wait-then-succeed";
  heartbeats?: number;
  /** claim-output: the output_ref the RESULT names. */
  output_ref?: string;
  interval_ms?: number;
  /** succeed: the RESULT's `metrics` (e.g. { mean_confidence: 0.95 }). */
  metrics?: Record<string, unknown>;
}
/** Attempts per step id; the last entry repeats. Steps without a script succeed. */
export type Script = Record<string, ScriptedAttempt[]>;

interface WorkerState {
  scripts: Map<string, Script>;
  received: Array<Record<string, unknown>>;
  held: Map<string, () => void>;
}

/** Short step timing so timeouts and retries happen in seconds. */
export const testStepDefaults = { ack_seconds: 2, lease_seconds: 4, max_attempts: 3, backoff_seconds: [0.2, 0.4] };

export interface LuciusUnderTest {
  host: DevHost;
  url: string;
  /** Prefix of the ledger tables this devhost's app uses. */
  tablePrefix: string;
  /** An API key for every tenant; the harness's own calls send it as x-api-key. */
  apiKey: string;
  worker: WorkerState;
  /** Submits a command (under a fresh tenant unless one is named) whose directives follow `script`. */
  submit(
    requestType: string,
    script?: Script,
    options?: { tenant?: string; payload?: Record<string, unknown>; deadline?: string },
  ): Promise<{ job_id: string; tenant_id: string }>;
  /** An API key for every tenant with the `review` role. */
  reviewerKey: string;
  /** A key with the `review` role for one tenant no test submits under. */
  outsiderKey: string;
  /** GET `path` with `key` (the harness's own unless named). */
  get(path: string, key?: string): Promise<{ status: number; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** POST …/steps/{step_id}/approve | reject with `key` (the reviewer's unless named); the raw answer. */
  decide(
    jobId: string,
    stepId: string,
    decision: "approve" | "reject",
    options?: { comment?: string; key?: string },
  ): Promise<{ status: number; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Submits and returns the raw answer, whatever its status. */
  post(body: unknown): Promise<{ status: number; headers: Headers; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The ledger devhost's app writes to (same tables). */
  ledger(): Promise<Ledger>;
  /** Runs the drift reconciler once, as its timer would, against this devhost. */
  reconcile(): Promise<{ examined: number; repairs: Repair[] }>;
  job(jobId: string): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  events(jobId: string): Promise<Array<Record<string, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  waitFor(jobId: string, predicate: (job: Record<string, any>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  control(jobId: string, action: "cancel" | "pause" | "resume" | "redrive"): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Directives (and CANCELs) the scripted worker received for a job. */
  received(jobId: string): Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  release(jobId: string, stepId: string, attemptNo: number): void;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the compiled app with the scripted worker under devhost, on the run's Azurite. */
export async function startLucius(options: { env?: Record<string, string> } = {}): Promise<LuciusUnderTest> {
  const tag = randomBytes(4).toString("hex");
  const apiKey = newTestKey("e2e", ["*"]);
  const reviewer = newTestKey("e2e-reviewer", ["*"], ["review"]);
  const outsider = newTestKey("e2e-outsider", [`outsider-${tag}`], ["review"]);
  const tablePrefix = `e2e${tag}`;
  const host = await startDevHost({
    appFiles: [...packageMainFiles(packageRoot), join(packageRoot, "test/fixtures/scripted-worker/worker.js")],
    port: 0,
    azurite: { connectionString: azuriteConnectionString() },
    taskHub: `e2e${tag}`,
    hostJsonPath: join(packageRoot, "host.json"),
    components: await defaultComponents(),
    env: {
      LUCIUS_TABLE_PREFIX: tablePrefix,
      LUCIUS_STEP_DEFAULTS: JSON.stringify(testStepDefaults),
      LUCIUS_API_KEYS: apiKeysSetting([apiKey, reviewer, outsider]),
      ...options.env,
    },
    logLevel: "error",
  });
  const worker = (globalThis as unknown as { __scriptedWorker: WorkerState }).__scriptedWorker;
  // Every answer the tests receive from this app must match the OpenAPI document it serves.
  const contract = await checkAnswersFrom(host.url);
  const api = async (method: string, path: string, body?: unknown, key = apiKey.key) => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  let tenants = 0;
  let ledger: Promise<Ledger> | undefined;
  const lucius: LuciusUnderTest = {
    host,
    url: host.url,
    tablePrefix,
    apiKey: apiKey.key,
    worker,
    reviewerKey: reviewer.key,
    outsiderKey: outsider.key,
    get: (path, key) => api("GET", path, undefined, key),
    decide: (jobId, stepId, decision, { comment, key = reviewer.key } = {}) =>
      api("POST", `/v1/jobs/${jobId}/steps/${stepId}/${decision}`, comment === undefined ? undefined : { comment }, key),
    async submit(requestType, script = {}, { tenant, payload = {}, deadline } = {}) {
      const tenant_id = tenant ?? `tenant-${tag}-${++tenants}`;
      worker.scripts.set(tenant_id, script);
      const { status, body } = await api("POST", "/v1/commands", {
        tenant_id,
        request_type: requestType,
        input_ref: tenantInput(blobAccountUrl(host.connectionString), tenant_id, "doc.png"),
        output_ref: tenantOutput(blobAccountUrl(host.connectionString), tenant_id, "doc/"),
        payload,
        ...(deadline !== undefined ? { deadline } : {}),
        schema_version: "v1",
        idempotency_key: randomBytes(8).toString("hex"),
      });
      if (status !== 202) throw new Error(`submit answered ${status}: ${JSON.stringify(body)}`);
      return { job_id: body.job_id as string, tenant_id };
    },
    async post(body) {
      const response = await fetch(`${host.url}/v1/commands`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey.key },
        body: JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    },
    ledger: () =>
      (ledger ??= Ledger.connect({
        storage: { kind: "connectionString", connectionString: host.connectionString },
        tables: tableNames({ LUCIUS_TABLE_PREFIX: tablePrefix }),
      })),
    async reconcile() {
      const client = df.getClient(invocationContext("reconcileDrift", durableClientBinding(host.url, host.taskHub, host.key)));
      return reconcile({ ledger: await lucius.ledger(), orchestrations: durableJobController(client), graceSeconds: 0 });
    },
    async job(jobId) {
      return (await api("GET", `/v1/jobs/${jobId}`)).body;
    },
    async events(jobId) {
      return (await api("GET", `/v1/jobs/${jobId}/events?limit=200`)).body.events;
    },
    async waitFor(jobId, predicate, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, unknown> = {};
      while (Date.now() < deadline) {
        last = await lucius.job(jobId);
        if (predicate(last)) return last;
        await sleep(100);
      }
      throw new Error(`job ${jobId} never became ${what}; last seen: ${JSON.stringify(last)}`);
    },
    control: (jobId, action) => api("POST", `/v1/jobs/${jobId}/${action}`),
    received: (jobId) => worker.received.filter((d) => d.job_id === jobId),
    release(jobId, stepId, attemptNo) {
      const release = worker.held.get(`${jobId}:${stepId}:${attemptNo}`);
      if (!release) throw new Error(`nothing held for ${jobId}/${stepId}/${attemptNo}`);
      release();
    },
    stop: () => {
      contract.uninstall();
      return host.stop();
    },
  };
  return lucius;
}

export const terminal = (job: Record<string, unknown>) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state as string);
