import { EventEmitter } from "node:events";

/** What became of one directive or CANCEL message. */
export const DeliveryOutcome = {
  /** Not a directive.v1 message (or for another step type): dead-lettered. */
  invalid: "invalid",
  /** A CANCEL: the attempt, if it ran here, was aborted. */
  cancelReceived: "cancel_received",
  /** The attempt is running here already, or was cancelled: nothing done. */
  duplicate: "duplicate",
  /** The attempt had finished: its recorded RESULT was sent again. */
  replayed: "replayed",
  /** The lease had expired before the directive arrived: the orchestrator has moved on. */
  stale: "stale",
  /** ACK sent, work started. */
  started: "started",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

export interface DeliveryEvent {
  worker: string;
  outcome: DeliveryOutcome;
  job_id?: string;
  step_id?: string;
  attempt_no?: number;
  lease_id?: string;
  detail?: string;
}

/** Every delivery outcome, for logs, tools and tests (event name `delivery`). */
export const workerEvents = new EventEmitter<{ delivery: [DeliveryEvent] }>();
