import { apiKey, devhostKey } from "./credentials.js";

/** An RFC 9457 problem document, as the API answers a refusal. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ pointer: string; message: string }>;
}

/** A refused request: the problem as the API sent it, shown to the user as it is. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** The 401's WWW-Authenticate: whether an Entra ID sign-in would be accepted. */
    readonly challenge: string | null = null,
  ) {
    super(problemText(problem, status));
  }
}

/** How the page shows a problem: its title and detail, as the API wrote them. */
export function problemText(problem: Problem, status?: number): string {
  const head = [problem.status ?? status, problem.title].filter((part) => part !== undefined && part !== "").join(" ");
  return problem.detail ? `${head}: ${problem.detail}` : head || "The request failed";
}

type Listener = (problem: ApiProblem) => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on every 401, so the app can show its sign-in prompt instead of a broken page. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function request<T>(method: string, path: string, headers: Record<string, string>): Promise<T> {
  // Same origin only; App Service authentication's session cookie rides along in Azure.
  const response = await fetch(path, { method, headers: { accept: "application/json", ...headers }, credentials: "same-origin", cache: "no-store" });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = { title: response.statusText, detail: text.slice(0, 300) };
  }
  if (!response.ok) {
    const problem = new ApiProblem(response.status, (body ?? { title: response.statusText }) as Problem, response.headers.get("www-authenticate"));
    if (response.status === 401) for (const listener of unauthorizedListeners) listener(problem);
    throw problem;
  }
  return body as T;
}

/** The public API, with the caller's API key when there is one. */
export function api<T>(method: string, path: string): Promise<T> {
  const key = apiKey();
  return request<T>(method, path, key ? { "x-api-key": key } : {});
}

/** devhost's own routes (`/_devhost/…`), with devhost's key. */
export function devhostApi<T>(method: string, path: string): Promise<T> {
  const key = devhostKey();
  return request<T>(method, path, key ? { "x-functions-key": key } : {});
}

export interface Step {
  step_id: string;
  index: number;
  step_type: string;
  service: string;
  state: string;
  attempt_no: number;
  max_attempts?: number;
  lease_expires_at?: string;
  lease_ms?: number;
  error?: { code: string; message: string };
  failure_class?: string;
  created_at: string;
  updated_at: string;
  dispatched_at?: string;
  acked_at?: string;
  completed_at?: string;
}

export interface Job {
  job_id: string;
  tenant_id: string;
  request_type: string;
  protocol_id: string;
  state: string;
  current_step_id?: string;
  error?: { code: string; message: string; step_id?: string };
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  redrive_count?: number;
  steps?: Step[];
}

export interface JobEvent {
  event_id: string;
  type: string;
  at: string;
  step_id?: string;
  attempt_no?: number;
  details?: Record<string, unknown>;
}

export interface JobPage {
  jobs: Job[];
  continuation?: string;
}

export interface JobOutputs {
  ocr?: { uri: string; text: string; lines: number; pages?: Array<{ page: number; confidence: number; text_layer: boolean }>; mean_confidence?: number };
  embedding?: { uri: string; chunks: number; dimension: number };
  sis?: {
    uri: string;
    analysis: {
      engine?: string;
      summary?: string;
      language?: { code: string };
      keywords?: Array<{ term: string }>;
      amounts?: Array<{ text: string; currency: string; value: number }>;
      dates?: Array<{ text: string; iso: string; ambiguous?: boolean }>;
    };
  };
}

export const terminalStates: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
export const jobStates = ["QUEUED", "RUNNING", "PAUSED", "AWAITING_APPROVAL", "CANCELLING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;

const enc = encodeURIComponent;

export const listJobs = (tenantId: string, options: { state?: string; limit?: number; continuation?: string }) => {
  const query = new URLSearchParams({ tenant_id: tenantId });
  if (options.state) query.set("state", options.state);
  if (options.limit) query.set("limit", String(options.limit));
  if (options.continuation) query.set("continuation", options.continuation);
  return api<JobPage>("GET", `/v1/jobs?${query}`);
};
export const getJob = (jobId: string) => api<Job>("GET", `/v1/jobs/${enc(jobId)}`);
export const getOutputs = (jobId: string) => api<{ outputs: JobOutputs }>("GET", `/v1/jobs/${enc(jobId)}/outputs`);

/** Every event of a job, oldest first, following the continuation tokens. */
export async function getEvents(jobId: string): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  let continuation: string | undefined;
  do {
    const query = new URLSearchParams({ limit: "200", ...(continuation ? { continuation } : {}) });
    const page = await api<{ events: JobEvent[]; continuation?: string }>("GET", `/v1/jobs/${enc(jobId)}/events?${query}`);
    events.push(...page.events);
    continuation = page.continuation;
  } while (continuation);
  return events;
}

export type JobAction = "cancel" | "pause" | "resume" | "redrive";
export const controlJob = (jobId: string, action: JobAction) => api<{ status: string }>("POST", `/v1/jobs/${enc(jobId)}/${action}`);
