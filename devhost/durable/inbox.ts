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
export type WorkMessage = { kind: "inbox"; message: InboxMessage; sender?: WaitingSender } | { kind: "completion"; executionId: string; event: HistoryEvent };

/**
 * The caller of a raise whose event is held in memory only, not in the inbox: it is answered once
 * an episode's commit records the event in history (or the event is stored in the inbox after
 * all), and given the error when neither could be written. Either way the event is durable before
 * the caller hears it was accepted.
 */
export interface WaitingSender {
  answer(error?: unknown): void;
}

/** Answers the sender waiting on `work`, if any, once: the event is durable, or `error` says why not. */
export function answerSender(work: WorkMessage, error?: unknown): void {
  if (work.kind !== "inbox" || !work.sender) return;
  const { sender } = work;
  delete work.sender;
  sender.answer(error);
}

/** Row keys of the queue's messages that were stored in the inbox (those held in memory only have no row). */
export function storedRowKeys(queue: readonly WorkMessage[]): Set<string> {
  return new Set(queue.flatMap((w) => (w.kind === "inbox" && !w.sender ? [w.message.rowKey] : [])));
}

let lastMillis = 0;
let counter = 0;
/** Drawn once: the counter already orders this process's keys; this keeps two processes' apart. */
const processPart = randomBytes(3).toString("hex");

/**
 * Row keys that sort in creation order within this process and across restarts. A clock that
 * steps back keeps the last time and counts on, so no key of this process repeats.
 */
export function newInboxKey(now = Date.now()): string {
  if (now > lastMillis) {
    lastMillis = now;
    counter = 0;
  } else {
    counter++;
  }
  return `m:${String(lastMillis).padStart(15, "0")}:${String(counter).padStart(6, "0")}:${processPart}`;
}
