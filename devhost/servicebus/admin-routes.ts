import type { IncomingMessage, ServerResponse } from "node:http";
import { devhostServiceBusPath, type DevhostSendRequest } from "../../lib/bus/devhost-sender.js";
import type { ServiceBusEmulator } from "./emulator.js";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { EmulatorMessageInput, StoredMessage } from "./message.js";
import { SendFaults } from "./send-faults.js";

export { devhostServiceBusPath };

/** Largest admin request body; a send of many messages still fits. */
const maxRequestBytes = 4 * 1024 * 1024;

const statusByCode: Partial<Record<EmulatorErrorCode, number>> = {
  [EmulatorErrorCode.unknownTopic]: 404,
  [EmulatorErrorCode.unknownSubscription]: 404,
  [EmulatorErrorCode.messageNotFound]: 404,
  [EmulatorErrorCode.invalidMessage]: 400,
  [EmulatorErrorCode.messageTooLarge]: 413,
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * The emulator's admin API, relative to {@link devhostServiceBusPath}:
 * - `GET  /topics` — topology
 * - `POST /topics/{topic}/messages` — send `{ messages: [...] }` (what lib/bus's devhost sender calls)
 * - `GET  /topics/{topic}/subscriptions/{sub}` — settings and counts (active, scheduled, deadLettered)
 * - `GET  /topics/{topic}/subscriptions/{sub}/deadletters[/{sequenceNumber}]` — list / show
 * - `POST /topics/{topic}/subscriptions/{sub}/deadletters/{sequenceNumber}/replay`
 * - `DELETE /topics/{topic}/subscriptions/{sub}/deadletters` — purge
 * - `GET|POST|DELETE /faults` — refuse the next sends to a topic (`{ topic, status: 429|503, count }`)
 */
export function adminHandler(emulator: ServiceBusEmulator, faults = new SendFaults()): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const result = await route(emulator, req, faults);
      send(res, 200, "application/json", result);
    } catch (error) {
      if (error instanceof HttpProblem) return problem(res, error.status, error.title, error.message);
      if (error instanceof EmulatorError && statusByCode[error.code]) {
        return problem(res, statusByCode[error.code]!, error.code, error.message);
      }
      problem(res, 500, "Internal error", error instanceof Error ? error.message : String(error));
    }
  };
}

async function route(emulator: ServiceBusEmulator, req: IncomingMessage, faults: SendFaults): Promise<unknown> {
  let path = new URL(req.url ?? "/", "http://devhost").pathname;
  if (path.startsWith(devhostServiceBusPath)) path = path.slice(devhostServiceBusPath.length);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? "GET";
  const allow = (...methods: string[]) => {
    if (!methods.includes(method)) throw new HttpProblem(405, "Method not allowed", `${method} is not allowed on ${path}; use ${methods.join(", ")}`);
  };
  if (parts[0] === "faults" && parts.length === 1) {
    allow("GET", "POST", "DELETE");
    if (method === "DELETE") faults.clear();
    if (method === "POST") {
      try {
        faults.set(SendFaults.parse(await readJson(req)));
      } catch (error) {
        if (error instanceof HttpProblem) throw error;
        throw new HttpProblem(400, "Bad fault", (error as Error).message);
      }
    }
    return { faults: faults.list() };
  }
  if (parts[0] !== "topics") throw notFound(path);
  if (parts.length === 1) {
    allow("GET");
    return [...emulator.topics.values()].map((t) => ({
      name: t.name,
      duplicateDetectionWindowMs: t.duplicateDetectionWindowMs,
      subscriptions: [...t.subscriptions.values()].map(({ name, filterSource, maxDeliveryCount, lockDurationMs }) => ({
        name,
        filter: filterSource ?? null,
        maxDeliveryCount,
        lockDurationMs,
      })),
    }));
  }
  const topic = parts[1]!;
  if (parts.length === 3 && parts[2] === "messages") {
    allow("POST");
    emulator.topic(topic);
    const fault = faults.take(topic);
    if (fault) throw new HttpProblem(fault.status, fault.status === 429 ? "Throttled" : "Unavailable", `Injected fault: send to ${topic} refused`);
    const results = await emulator.send(topic, parseSendRequest(await readJson(req)));
    return { results };
  }
  if (parts[2] !== "subscriptions" || parts.length < 4) throw notFound(path);
  const sub = parts[3]!;
  if (parts.length === 4) {
    allow("GET");
    const { filterSource, maxDeliveryCount, lockDurationMs } = emulator.subscription(topic, sub);
    return { topic, subscription: sub, filter: filterSource ?? null, maxDeliveryCount, lockDurationMs, counts: await emulator.counts(topic, sub) };
  }
  if (parts[4] !== "deadletters") throw notFound(path);
  if (parts.length === 5) {
    allow("GET", "DELETE");
    if (method === "DELETE") return { purged: await emulator.purgeDeadLetters(topic, sub) };
    return { items: (await emulator.deadLetters(topic, sub)).map(view) };
  }
  const sequenceNumber = Number(parts[5]);
  if (!Number.isSafeInteger(sequenceNumber)) throw new HttpProblem(400, "Bad sequence number", `"${parts[5]}" is not a sequence number`);
  if (parts.length === 6) {
    allow("GET");
    const letter = await emulator.deadLetterBySequence(topic, sub, sequenceNumber);
    if (!letter) throw new HttpProblem(404, "Not found", `No dead letter ${sequenceNumber} in ${topic}/${sub}`);
    return view(letter);
  }
  if (parts.length === 7 && parts[6] === "replay") {
    allow("POST");
    return view(await emulator.replayDeadLetter(topic, sub, sequenceNumber));
  }
  throw notFound(path);
}

function parseSendRequest(raw: unknown): EmulatorMessageInput[] {
  const bad = (detail: string): never => {
    throw new HttpProblem(400, "Bad request", detail);
  };
  const request = raw as Partial<DevhostSendRequest> | null;
  if (typeof request !== "object" || request === null || !Array.isArray(request.messages)) {
    return bad('The body must be { "messages": [ ... ] }');
  }
  return request.messages.map((m, i) => {
    if (typeof m !== "object" || m === null || !("body" in m)) return bad(`messages[${i}] must be an object with a body`);
    for (const key of ["messageId", "subject", "correlationId"] as const) {
      if (m[key] !== undefined && typeof m[key] !== "string") bad(`messages[${i}].${key} must be a string`);
    }
    if (m.applicationProperties !== undefined && (typeof m.applicationProperties !== "object" || m.applicationProperties === null)) {
      bad(`messages[${i}].applicationProperties must be an object`);
    }
    let scheduled: Date | undefined;
    if (m.scheduledEnqueueTimeUtc !== undefined) {
      scheduled = new Date(m.scheduledEnqueueTimeUtc);
      if (typeof m.scheduledEnqueueTimeUtc !== "string" || Number.isNaN(scheduled.getTime())) {
        bad(`messages[${i}].scheduledEnqueueTimeUtc must be an ISO date-time`);
      }
    }
    return {
      body: m.body,
      ...(m.messageId !== undefined ? { messageId: m.messageId } : {}),
      ...(m.subject !== undefined ? { subject: m.subject } : {}),
      ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
      ...(m.applicationProperties !== undefined ? { applicationProperties: m.applicationProperties } : {}),
      ...(scheduled ? { scheduledEnqueueTimeUtc: scheduled } : {}),
    };
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxRequestBytes) throw new HttpProblem(413, "Payload too large", `Request bodies are limited to ${maxRequestBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpProblem(400, "Invalid JSON", (error as Error).message);
  }
}

function view(message: StoredMessage): Record<string, unknown> {
  return { ...message };
}

function notFound(path: string): HttpProblem {
  return new HttpProblem(404, "Not found", `No Service Bus admin route ${path}`);
}

function send(res: ServerResponse, status: number, contentType: string, body: unknown): void {
  res.writeHead(status, { "content-type": contentType });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  send(res, status, "application/problem+json", { type: "about:blank", title, status, detail });
}
