/** Failure codes of the Service Bus emulator; admin routes map them to HTTP statuses. */
export const EmulatorErrorCode = {
  invalidTopology: "INVALID_TOPOLOGY",
  invalidFilter: "INVALID_FILTER",
  unknownTopic: "UNKNOWN_TOPIC",
  unknownSubscription: "UNKNOWN_SUBSCRIPTION",
  invalidMessage: "INVALID_MESSAGE",
  messageTooLarge: "MESSAGE_TOO_LARGE",
  messageNotFound: "MESSAGE_NOT_FOUND",
  lockLost: "LOCK_LOST",
  unsupportedBinding: "UNSUPPORTED_BINDING",
} as const;
export type EmulatorErrorCode = (typeof EmulatorErrorCode)[keyof typeof EmulatorErrorCode];

export class EmulatorError extends Error {
  override readonly name = "EmulatorError";
  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether a storage call failed with this HTTP status (a batch fails with the status of its failed operation). */
export function isStatus(error: unknown, status: number): boolean {
  return typeof error === "object" && error !== null && (error as { statusCode?: number }).statusCode === status;
}
