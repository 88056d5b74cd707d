import type { DurableClient } from "durable-functions";
import { JobEventNames } from "../orchestration/names.js";
import type { Reply } from "../contracts/index.js";

/** The client's 404 answer to a raise (test/unit/durable-functions-internals.test.ts pins its wording). */
const isNotFound = (error: unknown) => error instanceof Error && /^No instance with ID '.*' found\.$/.test(error.message);

/**
 * Raises a reply to its job's orchestration; false when there is no such
 * instance. Any other failure propagates, so the message is abandoned and
 * redelivered.
 *
 * No status is read first: the client resolves a 410 (instance finished) like
 * a 202, and what that read used to catch — a reply for a job that has ended —
 * the reply handler now sees in the job row it already holds (a terminal job is
 * `orchestration_gone` without a raise). An instance that failed or was
 * terminated while its job row still says otherwise drops the event; the
 * reconciler ends such a job.
 */
export async function notifyOrchestration(client: DurableClient, reply: Reply): Promise<boolean> {
  try {
    await client.raiseEvent(reply.job_id, JobEventNames.reply, reply);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
