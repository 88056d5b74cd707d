import type { TableClient, TableTransactionEntityResponse, TransactionAction } from "@azure/data-tables";
import { submitTransaction } from "../../lib/tables/submit-transaction.js";

/** Table Storage's limits on one entity-group transaction, with room for the request's framing. */
export const maxBatchOperations = 100;
export const maxBatchBytes = 3_500_000;

/** A write that may share a transaction: its actions there, and how it is written by itself. */
export interface GroupedWrite<T> {
  /** Its operations in a combined transaction (all in the partition it is submitted for). */
  actions: TransactionAction[];
  /** Its size on the wire, against the transaction's byte limit. */
  bytes: number;
  /** Writes it alone, as it would be without company (conditional writes keep their conditions). */
  alone(): Promise<T>;
  /** Its answer from its share of a combined transaction's sub-responses. */
  fromShared(responses: TableTransactionEntityResponse[]): T;
}

interface Submission {
  write: GroupedWrite<unknown>;
  resolve(answer: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one table: transactions submitted for a partition while one of its
 * transactions is on the wire wait and then go out together, as one entity-group transaction
 * within the service's limits. A lone submission goes out at once, as it would without
 * grouping, so nothing waits for company; a busy partition pays one request per round instead
 * of one per submission.
 *
 * Each submission still stands or falls alone: when a combined transaction fails (one
 * submission's create meeting an existing row, say), every submission in it is written again
 * by itself, so its own answer, success or error, reaches its own caller. Combined, a delete
 * is unconditional (the SDK's transactions take no ETag for one); that is safe because one
 * process owns the table and its locks are in memory (README, "One process per table").
 */
export class TransactionGroups {
  private readonly queues = new Map<string, Submission[]>();

  constructor(private readonly table: TableClient) {}

  /** Writes `write` atomically, alone or in a transaction shared with others in `partition`. */
  submit<T>(partition: string, write: GroupedWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.queues.get(partition);
      const submission: Submission = { write, resolve: resolve as (answer: unknown) => void, reject };
      if (queue) return void queue.push(submission);
      this.queues.set(partition, [submission]);
      void this.drain(partition);
    });
  }

  private async drain(partition: string): Promise<void> {
    const queue = this.queues.get(partition)!;
    while (queue.length > 0) {
      const round = takeRound(queue);
      if (round.length === 1) await this.alone(round[0]!);
      else await this.together(round);
    }
    this.queues.delete(partition);
  }

  private async alone(submission: Submission): Promise<void> {
    try {
      submission.resolve(await submission.write.alone());
    } catch (error) {
      submission.reject(error);
    }
  }

  private async together(round: Submission[]): Promise<void> {
    let responses: TableTransactionEntityResponse[];
    try {
      responses = (
        await submitTransaction(
          this.table,
          round.flatMap((s) => s.write.actions),
        )
      ).subResponses;
    } catch {
      for (const submission of round) await this.alone(submission);
      return;
    }
    let at = 0;
    for (const { write, resolve } of round) {
      resolve(write.fromShared(responses.slice(at, at + write.actions.length)));
      at += write.actions.length;
    }
  }
}

/** The submissions at the head of the queue that fit in one transaction (at least one). */
function takeRound(queue: Submission[]): Submission[] {
  let operations = 0;
  let bytes = 0;
  let count = 0;
  for (const { write } of queue) {
    if (count > 0 && (operations + write.actions.length > maxBatchOperations || bytes + write.bytes > maxBatchBytes)) break;
    operations += write.actions.length;
    bytes += write.bytes;
    count++;
  }
  return queue.splice(0, count);
}
