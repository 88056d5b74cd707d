import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { MessageStore } from "./message-store.js";
import type { ResolvedSubscription } from "./topology.js";

/**
 * Settles the messages of one handler call, each at most once. Handlers that settle
 * messages themselves (SDK-binding `actions`) use it; the receiver settles what is left.
 */
export class Settler {
  private readonly current = new Map<string, LockedMessage>();
  private readonly settled = new Set<string>();

  constructor(
    private readonly store: MessageStore,
    private readonly subscription: ResolvedSubscription,
    messages: LockedMessage[],
    private readonly onLockRenewed: (lockedUntil: Date) => void,
  ) {
    for (const message of messages) this.current.set(message.lockToken, message);
  }

  isSettled(lockToken: string): boolean {
    return this.settled.has(lockToken);
  }

  complete(lockToken: string): Promise<void> {
    return this.settle(lockToken, (m) => this.store.complete(m));
  }

  abandon(lockToken: string, error?: string): Promise<void> {
    return this.settle(lockToken, (m) => this.store.abandon(m, this.subscription, error));
  }

  deadLetter(lockToken: string, reason: string, description: string): Promise<void> {
    return this.settle(lockToken, (m) => this.store.deadLetter(m, reason, description));
  }

  async renewLock(lockToken: string): Promise<Date> {
    const renewed = await this.store.renewLock(this.held(lockToken), this.subscription);
    this.current.set(lockToken, renewed);
    this.onLockRenewed(renewed.lockedUntil);
    return renewed.lockedUntil;
  }

  private async settle(lockToken: string, action: (message: LockedMessage) => Promise<void>): Promise<void> {
    const message = this.held(lockToken);
    this.settled.add(lockToken);
    await action(message);
  }

  private held(lockToken: string): LockedMessage {
    const message = this.current.get(lockToken);
    if (!message) throw new EmulatorError(EmulatorErrorCode.lockLost, `No message with lock token ${lockToken} in this invocation`);
    if (this.settled.has(lockToken)) {
      throw new EmulatorError(EmulatorErrorCode.lockLost, `Message ${message.messageId} was already settled`);
    }
    return message;
  }
}
