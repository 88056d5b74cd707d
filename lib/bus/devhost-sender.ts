import {
  BusBadRequestError,
  BusMessageTooLargeError,
  BusThrottledError,
  BusUnauthorizedError,
  BusUnavailableError,
  BusUnknownTopicError,
  type BusError,
} from "./errors.js";
import type { BusSender, OutboundMessage } from "./types.js";

/** The JSON body of `POST /_devhost/servicebus/topics/{topic}/messages`. */
export interface DevhostSendRequest {
  messages: Array<Omit<OutboundMessage, "scheduledEnqueueTimeUtc"> & { scheduledEnqueueTimeUtc?: string }>;
}

/** The admin route prefix devhost mounts its Service Bus emulator under. */
export const devhostServiceBusPath = "/_devhost/servicebus";

/** Sends to devhost's Service Bus emulator over its admin HTTP API (global `fetch`), with devhost's key. */
export class DevhostBusSender implements BusSender {
  private readonly base: string;

  constructor(
    devhostUrl: string,
    private readonly key?: string,
  ) {
    this.base = devhostUrl.replace(/\/+$/, "") + devhostServiceBusPath;
  }

  async send(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const body: DevhostSendRequest = {
      messages: messages.map(({ scheduledEnqueueTimeUtc, ...rest }) => ({
        ...rest,
        ...(scheduledEnqueueTimeUtc ? { scheduledEnqueueTimeUtc: scheduledEnqueueTimeUtc.toISOString() } : {}),
      })),
    };
    let response: Response;
    try {
      response = await fetch(`${this.base}/topics/${encodeURIComponent(topic)}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.key ? { "x-functions-key": this.key } : {}) },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new BusUnavailableError(`devhost Service Bus is unreachable at ${this.base}`, { cause: error });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    throw await errorFor(response, topic);
  }

  async close(): Promise<void> {
    // Nothing held open: each send is one HTTP request.
  }
}

async function errorFor(response: Response, topic: string): Promise<BusError> {
  const text = await response.text().catch(() => "");
  let detail = text;
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    detail = String(problem.detail ?? problem.title ?? text);
  } catch {
    // Not problem+json; the raw text is the best detail there is.
  }
  const message = `devhost Service Bus refused a send to "${topic}" (HTTP ${response.status}): ${detail}`;
  switch (response.status) {
    case 429:
      return new BusThrottledError(message, { retryAfterMs: retryAfterMs(response.headers.get("retry-after")) });
    case 404:
      return new BusUnknownTopicError(message);
    case 413:
      return new BusMessageTooLargeError(message);
    case 401:
    case 403:
      return new BusUnauthorizedError(message);
    default:
      return response.status >= 500 ? new BusUnavailableError(message) : new BusBadRequestError(message);
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
