import { LuciusError } from "../errors.js";

/** Why an activity refused for good: trying it again cannot help. */
export const ActivityRefusal = {
  /** The job (or a step the orchestration names) has no row in the ledger. */
  notInLedger: "NOT_IN_LEDGER",
  /** The job names a protocol the registry no longer has. */
  unknownProtocol: "UNKNOWN_PROTOCOL",
} as const;
export type ActivityRefusal = (typeof ActivityRefusal)[keyof typeof ActivityRefusal];

/** A condition an activity cannot get past by running again; the orchestration hears it at once. */
export class ActivityRefusedError extends LuciusError {
  override readonly name = "ActivityRefusedError";
  readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notInLedger = (what: string) => new ActivityRefusedError(ActivityRefusal.notInLedger, `${what} is not in the ledger`);
