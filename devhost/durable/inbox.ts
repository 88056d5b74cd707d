import { randomBytes } from "node:crypto";
import type { HistoryEvent } from "./history.js";

/** External requests to an instance; persisted in its inbox before the caller gets an answer. */
export const InboxKind = {
  event: "event",
  terminate: "terminate",
  suspend: "suspend",
  resume: "resume",
} as const;
export type InboxKind = (typeof InboxKind)[keyof typeof InboxKind];

export interface InboxMessage {
  /** `m:<time-ordered id>`; also the dedupe key recorded in the history chunk that consumes it. */
  rowKey: string;
  kind: InboxKind;
  /** Event name, for `event`. */
  name?: string;
  /** JSON text of the event data, for `event`. */
  input?: string;
  reason?: string;
  at: string;
}

/**
 * Work for an instance's next episode. Completions of work the engine itself
 * scheduled (activities, timers, sub-orchestrations) are kept in memory only:
 * until an episode records them in history, a crash simply re-runs that work
 * (recovery re-dispatches every open task), so nothing recorded is ever lost.
 */
export type WorkMessage = { kind: "inbox"; message: InboxMessage } | { kind: "completion"; executionId: string; event: HistoryEvent };

let lastMillis = 0;
let counter = 0;

/** Row keys that sort in creation order within this process and across restarts. */
export function newInboxKey(now = Date.now()): string {
  if (now === lastMillis) counter++;
  else {
    lastMillis = now;
    counter = 0;
  }
  return `m:${String(now).padStart(15, "0")}:${String(counter).padStart(6, "0")}:${randomBytes(3).toString("hex")}`;
}
