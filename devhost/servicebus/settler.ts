import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { SubscriptionQueues } from "./subscription-queues.js";
import type { ResolvedSubscription } from "./topology.js";

/**
 * Settles the messages of one handler call, each at most once. Handlers that settle
 * messages themselves (SDK-binding `actions`) use it; the receiver settles what is left.
 * Operations on one message run in order, so a settle never races a lock renewal.
 */
export class Settler {
  private readonly current = new Map<string, LockedMessage>();
  private readonly settled = new Set<string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: SubscriptionQueues,
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
    this.claim(lockToken);
    return this.enqueue(lockToken, (m) => this.store.complete(m));
  }

  abandon(lockToken: string, error?: string): Promise<void> {
    this.claim(lockToken);
    return this.enqueue(lockToken, (m) => this.store.abandon(m, this.subscription, error));
  }

  deadLetter(lockToken: string, reason: string, description: string): Promise<void> {
    this.claim(lockToken);
    return this.enqueue(lockToken, (m) => this.store.deadLetter(m, reason, description));
  }

  renewLock(lockToken: string): Promise<Date> {
    this.held(lockToken);
    return this.enqueue(lockToken, async (message) => {
      // Settled while this renewal waited its turn: nothing left to renew.
      if (this.settled.has(lockToken)) return message.lockedUntil;
      const renewed = this.store.renewLock(message, this.subscription);
      this.current.set(lockToken, renewed);
      this.onLockRenewed(renewed.lockedUntil);
      return renewed.lockedUntil;
    });
  }

  private claim(lockToken: string): void {
    this.held(lockToken);
    this.settled.add(lockToken);
  }

  private enqueue<T>(lockToken: string, op: (message: LockedMessage) => Promise<T>): Promise<T> {
    const previous = this.queues.get(lockToken) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => op(this.current.get(lockToken)!));
    this.queues.set(lockToken, next);
    return next;
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
