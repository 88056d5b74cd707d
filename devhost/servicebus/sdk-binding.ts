import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { Settler } from "./settler.js";

/**
 * What a handler registered with `sdkBinding: true` receives as its first argument — the
 * shape `@azure/functions-extensions-servicebus` builds (`ServiceBusMessageContext`):
 * `ServiceBusReceivedMessage`-like messages plus `actions` that settle them. Here the
 * actions act on the emulator directly instead of calling the Functions host over gRPC.
 * Differences: `sequenceNumber` is a number (not a `Long`); `propertiesToModify` is
 * ignored; `defer` and session operations are not emulated and throw.
 */
export function sdkMessageContext(messages: LockedMessage[], many: boolean, settler: Settler): {
  messages: ReceivedMessageView | ReceivedMessageView[];
  actions: Record<string, (...args: never[]) => Promise<unknown>>;
} {
  const views = messages.map(receivedMessageView);
  const tokenOf = (message: { lockToken?: string } | undefined): string => {
    if (!message?.lockToken) throw new EmulatorError(EmulatorErrorCode.lockLost, "The message has no lock token");
    return message.lockToken;
  };
  const unsupported = (what: string) => async () => {
    throw new EmulatorError(EmulatorErrorCode.unsupportedBinding, `${what} is not emulated by devhost`);
  };
  const actions = {
    complete: (message: ReceivedMessageView) => settler.complete(tokenOf(message)),
    abandon: (message: ReceivedMessageView) => settler.abandon(tokenOf(message)),
    deadletter: (message: ReceivedMessageView, _propertiesToModify?: Uint8Array, reason?: string, description?: string) =>
      settler.deadLetter(tokenOf(message), reason ?? "", description ?? ""),
    renewMessageLock: async (message: ReceivedMessageView) => {
      message.lockedUntilUtc = await settler.renewLock(tokenOf(message));
    },
    defer: unsupported("defer"),
    setSessionState: unsupported("Sessions"),
    releaseSession: unsupported("Sessions"),
    renewSessionLock: unsupported("Sessions"),
  };
  return { messages: many ? views : views[0]!, actions };
}

export interface ReceivedMessageView {
  body: unknown;
  messageId: string;
  correlationId?: string;
  contentType: string;
  subject?: string;
  to?: string;
  replyTo?: string;
  applicationProperties: Record<string, string | number | boolean>;
  deliveryCount: number;
  lockToken: string;
  lockedUntilUtc: Date;
  enqueuedTimeUtc: Date;
  sequenceNumber: number;
  state: "active";
}

function receivedMessageView(m: LockedMessage): ReceivedMessageView {
  return {
    body: m.body,
    messageId: m.messageId,
    ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
    contentType: m.contentType,
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.to !== undefined ? { to: m.to } : {}),
    ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
    applicationProperties: m.applicationProperties,
    deliveryCount: m.deliveryCount,
    lockToken: m.lockToken,
    lockedUntilUtc: m.lockedUntil,
    enqueuedTimeUtc: m.enqueuedTimeUtc,
    sequenceNumber: m.sequenceNumber,
    state: "active",
  };
}
