import { BusThrottledError, type BusSender, type OutboundMessage } from "../../lib/bus/index.js";

/** A bus that keeps what it was sent and refuses the next `refusals` sends, as a throttled broker would. */
export class RecordingBus implements BusSender {
  readonly sent: Array<{ topic: string; messageId: string }> = [];
  constructor(public refusals = 0) {}
  async send(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (this.refusals > 0 && this.refusals--) throw new BusThrottledError("throttled (test)");
    for (const m of messages) this.sent.push({ topic, messageId: m.messageId });
  }
  async close(): Promise<void> {}
}
