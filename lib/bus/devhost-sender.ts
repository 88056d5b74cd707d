import http from "node:http";
import https from "node:https";
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

/**
 * Sends to devhost's Service Bus emulator over its admin HTTP API, with devhost's key. Through
 * `node:http` on a keep-alive agent rather than global `fetch`: a send is on the path of every step,
 * and `fetch`'s streams cost about three times the CPU per request.
 */
export class DevhostBusSender implements BusSender {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    devhostUrl: string,
    private readonly key?: string,
  ) {
    this.base = new URL(devhostUrl.replace(/\/+$/, "") + devhostServiceBusPath);
    this.agent = new (this.base.protocol === "https:" ? https : http).Agent({ keepAlive: true });
  }

  async send(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const body: DevhostSendRequest = {
      messages: messages.map(({ scheduledEnqueueTimeUtc, ...rest }) => ({
        ...rest,
        ...(scheduledEnqueueTimeUtc ? { scheduledEnqueueTimeUtc: scheduledEnqueueTimeUtc.toISOString() } : {}),
      })),
    };
    let answer: Answer;
    try {
      answer = await this.post(`${this.base.pathname}/topics/${encodeURIComponent(topic)}/messages`, JSON.stringify(body));
    } catch (error) {
      throw new BusUnavailableError(`devhost Service Bus is unreachable at ${this.base.href}`, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return;
    throw errorFor(answer, topic);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private post(path: string, body: string): Promise<Answer> {
    const request = this.base.protocol === "https:" ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          path,
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(this.key ? { "x-functions-key": this.key } : {}),
          },
        },
        (response) => {
          const ok = response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;
          const chunks: Buffer[] = [];
          // A success's body is not read: only its status counts.
          if (ok) response.resume();
          else response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), retryAfter: header(response.headers["retry-after"]) }),
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }
}

interface Answer {
  status: number;
  text: string;
  retryAfter: string | null;
}

const header = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null));

function errorFor({ status, text, retryAfter }: Answer, topic: string): BusError {
  let detail = text;
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    detail = String(problem.detail ?? problem.title ?? text);
  } catch {
    // Not problem+json; the raw text is the best detail there is.
  }
  const message = `devhost Service Bus refused a send to "${topic}" (HTTP ${status}): ${detail}`;
  switch (status) {
    case 429:
      return new BusThrottledError(message, { retryAfterMs: retryAfterMs(retryAfter) });
    case 404:
      return new BusUnknownTopicError(message);
    case 413:
      return new BusMessageTooLargeError(message);
    case 401:
    case 403:
      return new BusUnauthorizedError(message);
    default:
      return status >= 500 ? new BusUnavailableError(message) : new BusBadRequestError(message);
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
