import type { DurableClient } from "durable-functions";
import { JobEventNames } from "../orchestration/names.js";
import type { Reply } from "../contracts/index.js";

/** Runtime statuses after which an instance takes no more events. */
const finished = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

/** The client's 404 answers (raiseEvent and getStatus word them differently). */
const isNotFound = (error: unknown) =>
  error instanceof Error && (/^No instance with ID '.*' found\.$/.test(error.message) || /replied with HTTP 404 response/.test(error.message));

/**
 * Raises a reply to its job's orchestration; false when the instance is gone
 * (unknown, or finished). The client resolves a 410 (finished) like a 202, so
 * a finished instance is recognised by its status, read first. Any other
 * failure propagates, so the message is abandoned and redelivered.
 */
export async function notifyOrchestration(client: DurableClient, reply: Reply): Promise<boolean> {
  try {
    const status = await client.getStatus(reply.job_id, { showHistory: false, showHistoryOutput: false, showInput: false });
    if (finished.has(String(status.runtimeStatus))) return false;
    await client.raiseEvent(reply.job_id, JobEventNames.reply, reply);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
