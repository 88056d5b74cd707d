import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import type { LockedMessage } from "./message.js";
import type { SubscriptionQueues } from "./subscription-queues.js";
import { Settler } from "./settler.js";
import type { ResolvedSubscription } from "./topology.js";

export interface ReceiverOptions {
  /** Handler calls in flight at once (host.json `maxConcurrentCalls`). @default 16 */
  maxConcurrentCalls?: number;
  /** Messages per handler call: 1 delivers single messages, more delivers arrays. @default 1 */
  maxBatchSize?: number;
  /**
   * A safety-net look at the subscription, for a wake-up that went astray; it reads memory, not
   * storage, and no delivery waits for it (sends, schedule times, abandons and lock expiries
   * wake the receiver themselves). @default 1000
   */
  pollIntervalMs?: number;
  /**
   * Complete the messages a handler left unsettled when it resolves; when false they stay
   * locked until the lock expires (host.json `autoCompleteMessages`). @default true
   */
  autoComplete?: boolean;
  /**
   * Keep renewing the locks of a running handler for up to this long (host.json
   * `maxAutoLockRenewalDuration`); 0 lets a lock expire after `lockDurationMs`. @default 0
   */
  maxAutoLockRenewalMs?: number;
}

/**
 * Handles one delivery. Messages it leaves unsettled are completed when it resolves
 * (see `autoComplete`) and abandoned with the error's message when it throws.
 */
export type BatchHandler = (messages: LockedMessage[], settler: Settler) => Promise<void>;

export const ReceiverDefaults = {
  maxConcurrentCalls: 16,
  maxBatchSize: 1,
  pollIntervalMs: 1000,
  autoComplete: true,
  maxAutoLockRenewalMs: 0,
} as const;

/** setTimeout's ceiling; a later wake-up is re-armed when this one fires. */
const maxTimerDelay = 2 ** 31 - 1;

/**
 * The message pump of one subscription: locks what is visible, runs the handler with
 * bounded concurrency and settles the outcome. A send wakes it at once; after each pump it
 * arms one timer for the next schedule time or lock expiry of its subscription.
 */
export class SubscriptionReceiver {
  private readonly options: Required<ReceiverOptions>;
  private running = false;
  private pumping = false;
  private again = false;
  private inFlight = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly store: SubscriptionQueues,
    readonly subscription: ResolvedSubscription,
    private readonly handler: BatchHandler,
    options: ReceiverOptions,
    private readonly log: (message: string) => void,
  ) {
    this.options = { ...ReceiverDefaults, ...stripUndefined(options) };
    for (const key of ["maxConcurrentCalls", "maxBatchSize", "pollIntervalMs"] as const) {
      const value = this.options[key];
      if (!Number.isInteger(value) || value < 1) {
        throw new EmulatorError(EmulatorErrorCode.invalidTopology, `Receiver option ${key} must be a positive integer, got ${value}`);
      }
    }
    if (!Number.isInteger(this.options.maxAutoLockRenewalMs) || this.options.maxAutoLockRenewalMs < 0) {
      throw new EmulatorError(EmulatorErrorCode.invalidTopology, `Receiver option maxAutoLockRenewalMs must be ≥ 0`);
    }
  }

  start(): void {
    this.running = true;
    this.pollTimer = setInterval(() => void this.pump(), this.options.pollIntervalMs);
    this.pollTimer.unref();
    void this.pump();
  }

  /** A message became (or will become, at `visibleAt`) receivable. */
  notify(visibleAt?: Date): void {
    if (!this.running) return;
    const at = visibleAt?.getTime() ?? 0;
    if (at <= Date.now()) {
      void this.pump();
    } else if (at < this.wakeAt) {
      clearTimeout(this.wakeTimer);
      this.wakeAt = at;
      this.wakeTimer = setTimeout(
        () => {
          this.wakeAt = Infinity;
          void this.pump();
        },
        Math.min(at - Date.now() + 5, maxTimerDelay),
      );
      this.wakeTimer.unref();
    }
  }

  /** Stops receiving and waits for the handlers in flight to finish and settle. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.wakeTimer);
    this.wakeAt = Infinity;
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private async pump(): Promise<void> {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (this.running && this.inFlight < this.options.maxConcurrentCalls) {
          const free = this.options.maxConcurrentCalls - this.inFlight;
          const batch = await this.store.lockNext(this.subscription, free * this.options.maxBatchSize);
          if (batch.length === 0) break;
          for (let i = 0; i < batch.length; i += this.options.maxBatchSize) {
            this.dispatch(batch.slice(i, i + this.options.maxBatchSize));
          }
        }
      } while (this.again && this.running);
    } catch (error) {
      this.log(`${this.where()}: receive failed, retrying on the next poll: ${messageOf(error)}`);
    } finally {
      this.pumping = false;
    }
    const next = this.store.nextWake(this.subscription);
    if (next) this.notify(next);
  }

  private dispatch(messages: LockedMessage[]): void {
    this.inFlight++;
    const settler = new Settler(this.store, this.subscription, messages, (lockedUntil) => this.notify(lockedUntil));
    const stopRenewing = this.autoRenew(messages, settler);
    const run = (async () => {
      let failure: unknown;
      let failed = false;
      try {
        await this.handler(messages, settler);
      } catch (error) {
        failed = true;
        failure = error;
      }
      stopRenewing();
      for (const message of messages) {
        if (settler.isSettled(message.lockToken) || (!failed && !this.options.autoComplete)) continue;
        try {
          if (failed) await settler.abandon(message.lockToken, messageOf(failure));
          else await settler.complete(message.lockToken);
        } catch (error) {
          this.log(`${this.where()}: could not ${failed ? "abandon" : "complete"} message ${message.messageId}: ${messageOf(error)}`);
        }
      }
    })().finally(() => {
      this.inFlight--;
      this.active.delete(run);
      void this.pump();
    });
    this.active.add(run);
  }

  /** Renews the locks at half the lock duration while the handler runs, within the renewal budget. */
  private autoRenew(messages: LockedMessage[], settler: Settler): () => void {
    const budget = this.options.maxAutoLockRenewalMs;
    if (budget <= 0) return () => undefined;
    const until = Date.now() + budget;
    const interval = setInterval(
      () => {
        if (Date.now() >= until) return clearInterval(interval);
        for (const message of messages) {
          if (settler.isSettled(message.lockToken)) continue;
          settler.renewLock(message.lockToken).catch((error: unknown) => {
            this.log(`${this.where()}: could not renew the lock of ${message.messageId}: ${messageOf(error)}`);
          });
        }
      },
      Math.max(50, Math.floor(this.subscription.lockDurationMs / 2)),
    );
    interval.unref();
    return () => clearInterval(interval);
  }

  private where(): string {
    return `servicebus ${this.subscription.topic}/${this.subscription.name}`;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
