import type { TokenCredential } from "@azure/identity";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/** Entra ID scope of the Cognitive Services data planes (Azure OpenAI, Document Intelligence). */
export const cognitiveServicesScope = "https://cognitiveservices.azure.com/.default";
/** One request may not hold an attempt longer than this. */
const requestTimeoutMs = 120_000;
/** Throttled requests retried inside the attempt, after the delay the service advertises. @default 2 */
export const maxThrottleRetries = 2;
/** A longer advertised delay is not waited out in the attempt: the step fails RETRYABLE and the orchestrator retries later. @default 30 s */
export const maxRetryAfterMs = 30_000;
/** Delay when a 429 advertises none. @default 1 s */
const defaultRetryAfterMs = 1_000;

export type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

export const wait: Wait = (ms, signal) =>
  new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error("aborted"));
    }
    signal?.addEventListener("abort", stop, { once: true });
  });

/** How a service's answers are classified, and in whose name its errors speak. */
export interface AzureService {
  /** For messages: `Azure OpenAI embeddings on "text-embedding"`. */
  name: string;
  credential: TokenCredential;
  /** @default {@link wait}; tests pass one that records the delay instead of sleeping. */
  wait?: Wait;
}

export interface AzureAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The delay a throttled answer asks for: `retry-after-ms` (Azure's), else `retry-after` in
 * seconds or as an HTTP date; undefined when it states none.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function detailOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return String(body.error?.message ?? body.error?.code ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/**
 * One call to an Azure AI data plane with a bearer token from the credential (managed identity,
 * never keys), classified for the orchestrator:
 * - 429 (and 503 with a delay): waited out and retried up to {@link maxThrottleRetries} times when the
 *   advertised delay is at most {@link maxRetryAfterMs}; then RETRYABLE `MODEL_UNAVAILABLE` with `retry_after_ms`;
 * - 401: NON_RETRYABLE `MODEL_REJECTED` (the credential is not accepted: another attempt sends the same);
 * - 403, 408, 5xx, network failures and timeouts: RETRYABLE `MODEL_UNAVAILABLE` (403 is typically a
 *   role assignment still propagating);
 * - other 4xx: NON_RETRYABLE `MODEL_REJECTED`.
 * A 2xx answer is returned as it is; reading it is the caller's.
 */
export async function azureRequest(
  service: AzureService,
  url: string,
  init: { method: "GET" | "POST"; body?: string | Buffer; contentType?: string },
  signal?: AbortSignal,
): Promise<AzureAnswer> {
  const pause = service.wait ?? wait;
  const unavailable = (why: string, details?: Record<string, unknown>, cause?: unknown) =>
    new WorkerError(WorkerErrorCode.modelUnavailable, `${service.name} ${why}`, details, { cause });
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      const token = await service.credential.getToken(cognitiveServicesScope, signal ? { abortSignal: signal } : {});
      if (!token) throw unavailable("got no access token");
      const timeout = AbortSignal.timeout(requestTimeoutMs);
      response = await fetch(url, {
        method: init.method,
        headers: { authorization: `Bearer ${token.token}`, ...(init.contentType ? { "content-type": init.contentType } : {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted || error instanceof WorkerError) throw error;
      throw unavailable(`could not be reached: ${(error as Error).message}`, undefined, error);
    }
    const text = await response.text();
    if (response.ok) return { status: response.status, headers: response.headers, text };
    const detail = detailOf(text);
    const delay = retryAfterMs(response.headers);
    if (response.status === 429 || (response.status === 503 && delay !== undefined)) {
      const ms = delay ?? defaultRetryAfterMs;
      if (attempt < maxThrottleRetries && ms <= maxRetryAfterMs) {
        await pause(ms, signal);
        continue;
      }
      throw unavailable(`is throttling (HTTP ${response.status}, retry after ${Math.round(ms)} ms): ${detail}`, {
        status: response.status,
        retry_after_ms: Math.round(ms),
      });
    }
    if (response.status === 401) {
      throw new WorkerError(WorkerErrorCode.modelRejected, `${service.name} refused the credentials (HTTP 401): ${detail}`, { status: 401 });
    }
    if (response.status === 403 || response.status === 408 || response.status >= 500) {
      throw unavailable(`answered HTTP ${response.status}: ${detail}`, { status: response.status });
    }
    throw new WorkerError(WorkerErrorCode.modelRejected, `${service.name} refused the request (HTTP ${response.status}): ${detail}`, {
      status: response.status,
    });
  }
}

/** A 2xx answer's JSON body, or RETRYABLE `MODEL_MALFORMED_RESPONSE` when it is not JSON. */
export function answerJson(service: Pick<AzureService, "name">, answer: AzureAnswer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw malformed(service, `answered HTTP ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 120)}`);
  }
}

/** The service answered 2xx with something its contract does not allow. */
export function malformed(service: Pick<AzureService, "name">, why: string): WorkerError {
  return new WorkerError(WorkerErrorCode.modelMalformedResponse, `${service.name} ${why}`);
}
