import { createHash } from "node:crypto";
import type { DirectiveMessage, Reply } from "../contracts/types.gen.js";
import { BusBadRequestError } from "./errors.js";
import type { OutboundMessage } from "./types.js";

/** Application property names workers and subscriptions filter on (docs/architecture.md, "Contracts and the bus"). */
export const BusPropertyNames = {
  stepType: "step_type",
  tenantId: "tenant_id",
  lane: "lane",
} as const;

/** Routing facts a reply does not carry itself but that are worth stamping on its properties. */
export interface ReplyRouting {
  stepType?: string;
  lane?: number;
}

/**
 * The directive (or CANCEL) as a bus message: `messageId = job:step:attempt:TYPE`, so a
 * re-sent dispatch is dropped by duplicate detection. `correlationId` is the command's
 * correlation id, else the job id, so one job's traffic can be followed end to end.
 */
export function directiveMessage(directive: DirectiveMessage): OutboundMessage {
  return {
    messageId: messageIdFor(directive, directive.type),
    body: directive,
    subject: directive.type,
    correlationId: directive.correlation_id ?? directive.job_id,
    applicationProperties: {
      [BusPropertyNames.stepType]: directive.step_type,
      [BusPropertyNames.tenantId]: directive.tenant_id,
      [BusPropertyNames.lane]: directive.lane,
    },
  };
}

/**
 * A worker reply as a bus message, `messageId = job:step:attempt:lease:TYPE`. The lease id is
 * known only to the orchestrator and the worker it dispatched to, so nobody else can send a
 * message ahead under the id of the real reply and have duplicate detection drop the real one.
 * HEARTBEATs repeat within one attempt, so they need a sequence (a counter the worker increments
 * per heartbeat; defaults to the reply's own `sequence` field) to keep distinct ids; ACK and
 * RESULT happen once per attempt and take none. An id past Service Bus's 128 characters (a step
 * id near the registry's 64) is sent as its SHA-256 in hex instead: as unguessable, and as stable.
 */
export function replyMessage(reply: Reply, seq?: number, routing: ReplyRouting = {}): OutboundMessage {
  const sequence = seq ?? (reply.type === "HEARTBEAT" ? reply.sequence : undefined);
  if (reply.type === "HEARTBEAT") {
    if (sequence === undefined || !Number.isInteger(sequence) || sequence < 0) {
      throw new BusBadRequestError(`HEARTBEAT for ${reply.job_id}/${reply.step_id} needs a non-negative integer sequence`);
    }
  } else if (sequence !== undefined) {
    throw new BusBadRequestError(`${reply.type} messages are sent once per attempt and take no sequence`);
  }
  const base = `${reply.job_id}:${reply.step_id}:${reply.attempt_no}:${reply.lease_id}:${reply.type}`;
  const id = sequence === undefined ? base : `${base}:${sequence}`;
  const properties: Record<string, string | number> = { [BusPropertyNames.tenantId]: reply.tenant_id };
  if (routing.stepType !== undefined) properties[BusPropertyNames.stepType] = routing.stepType;
  if (routing.lane !== undefined) properties[BusPropertyNames.lane] = routing.lane;
  return {
    messageId: id.length <= maxMessageIdLength ? id : createHash("sha256").update(id).digest("hex"),
    body: reply,
    subject: reply.type,
    correlationId: reply.correlation_id ?? reply.job_id,
    applicationProperties: properties,
  };
}

/** Service Bus refuses longer message ids. */
const maxMessageIdLength = 128;

function messageIdFor(m: { job_id: string; step_id: string; attempt_no: number }, type: string): string {
  return `${m.job_id}:${m.step_id}:${m.attempt_no}:${type}`;
}

/**
 * A received message's body as JSON when it is JSON text (a string or bytes,
 * as some senders and the SDK binding deliver it); anything else unchanged,
 * for the contract validation to refuse.
 */
export function messageBody(body: unknown): unknown {
  if (typeof body !== "string" && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    return body;
  }
}
