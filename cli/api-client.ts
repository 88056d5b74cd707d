import { ApiError, NetworkError, type ProblemDocument } from "./errors.js";
import { problemMessage } from "./problem-message.js";
import type { CommandEnvelope, EventPage, JobAccepted, JobPage, JobView } from "../lib/contracts/index.js";

export interface ApiClientOptions {
  /** Base URL of the API, without the `/v1`. */
  baseUrl: string;
  /** Sent as `x-api-key` (devhost API keys, function keys). */
  apiKey?: string;
  /** Sent as `Authorization: Bearer …` (Entra ID in front of the API). */
  token?: string;
  /** devhost's key, sent as `x-functions-key` on `/_devhost/…` requests only. */
  devhostKey?: string;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** The API's answers, as contracts/api/ defines them (the same types the handlers return). */
export type { EventPage, JobAccepted, JobEvent as EventView, JobPage, JobView, StepView } from "../lib/contracts/index.js";

export const JobAction = { cancel: "cancel", pause: "pause", resume: "resume", redrive: "redrive" } as const;
export type JobAction = (typeof JobAction)[keyof typeof JobAction];

/** A thin client of the Lucius HTTP API (README, "HTTP API"); every non-2xx answer becomes an {@link ApiError}. */
export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  submit(envelope: CommandEnvelope | Record<string, unknown>): Promise<ApiResponse<JobAccepted>> {
    return this.request("POST", "/v1/commands", envelope);
  }

  async job(jobId: string): Promise<JobView> {
    return (await this.request<JobView>("GET", `/v1/jobs/${encodeURIComponent(jobId)}`)).body;
  }

  async events(jobId: string, continuation?: string): Promise<EventPage> {
    const query = new URLSearchParams({ limit: "200", ...(continuation ? { continuation } : {}) });
    return (await this.request<EventPage>("GET", `/v1/jobs/${encodeURIComponent(jobId)}/events?${query}`)).body;
  }

  async jobs(query: { tenant_id: string; state?: string; limit?: number; continuation?: string }): Promise<JobPage> {
    const params = new URLSearchParams({ tenant_id: query.tenant_id });
    if (query.state) params.set("state", query.state);
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.continuation) params.set("continuation", query.continuation);
    return (await this.request<JobPage>("GET", `/v1/jobs?${params}`)).body;
  }

  async control(jobId: string, action: JobAction): Promise<JobAccepted> {
    return (await this.request<JobAccepted>("POST", `/v1/jobs/${encodeURIComponent(jobId)}/${action}`)).body;
  }

  /** POST …/steps/{step_id}/approve | reject, with the comment when there is one. */
  async decide(jobId: string, stepId: string, decision: "approve" | "reject", comment?: string): Promise<JobAccepted> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/steps/${encodeURIComponent(stepId)}/${decision}`;
    return (await this.request<JobAccepted>("POST", path, comment === undefined ? undefined : { comment })).body;
  }

  /**
   * Any JSON route (devhost's `/_devhost/…` admin routes included). With `allowNotFound`, a 404
   * resolves to undefined instead of throwing: callers probe for devhost-only routes that way.
   */
  async get<T>(path: string, options: { allowNotFound?: boolean } = {}): Promise<T | undefined> {
    try {
      return (await this.request<T>("GET", path)).body;
    } catch (error) {
      if (options.allowNotFound && error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers["x-api-key"] = this.options.apiKey;
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.devhostKey && path.startsWith("/_devhost/")) headers["x-functions-key"] = this.options.devhostKey;
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(
        `cannot reach the API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}); is it running? (npm start, or --api)`,
        { cause: error },
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const problem = isObject(parsed) ? (parsed as ProblemDocument) : undefined;
      throw new ApiError(response.status, problem, problemMessage(response.status, problem, text.slice(0, 200)));
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
