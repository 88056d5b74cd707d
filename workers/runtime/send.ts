import { isBusError, replyMessage, TopicNames, type BusSender, type Directive, type Reply } from "../../lib/worker-kit.js";

/** Tries per reply for retryable bus failures (throttling, broker unreachable). */
const maxTries = 4;
const baseDelayMs = 500;

/**
 * Publishes a reply on `replies` with the directive's routing stamped on it, retrying retryable
 * bus errors with backoff (the messageId is stable, so a retry cannot duplicate).
 */
export async function sendReply(bus: BusSender, reply: Reply, directive: Pick<Directive, "step_type" | "lane">): Promise<void> {
  const message = replyMessage(reply, undefined, { stepType: directive.step_type, lane: directive.lane });
  for (let attempt = 1; ; attempt++) {
    try {
      await bus.send(TopicNames.replies, [message]);
      return;
    } catch (error) {
      if (!isBusError(error) || !error.retryable || attempt >= maxTries) throw error;
      const hinted = "retryAfterMs" in error && typeof error.retryAfterMs === "number" ? error.retryAfterMs : 0;
      await new Promise((resolve) => setTimeout(resolve, Math.max(hinted, baseDelayMs * 2 ** (attempt - 1))));
    }
  }
}
