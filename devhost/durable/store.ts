import { odata, TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { submitTransaction } from "../../lib/tables/submit-transaction.js";
import { getText, putText, splitForEntities } from "./big-text.js";
import type { HistoryEvent } from "./history.js";
import type { InboxMessage } from "./inbox.js";
import type { InstanceState, RuntimeStatus } from "./instance-state.js";
import { writeEntity } from "../../lib/tables/write-entity.js";

/**
 * Persistence of the Durable engine in Table Storage (Azurite).
 *
 * `<hub>History`, partition = instance id, holds everything that must change
 * together: the `state` row, one history chunk per committed episode
 * (`h:<executionId>:<chunk>:<part>`) and the inbox of external messages
 * (`m:<time-ordered id>`). An episode commits as one batch transaction in that
 * partition, so history, state and the removal of consumed messages are atomic.
 * Listing and the recovery scan read the `state` rows across partitions; there
 * is no separate index that could disagree with them.
 */
export class DurableStore {
  readonly history: TableClient;

  constructor(
    connectionString: string,
    readonly taskHub: string,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(taskHub)) {
      throw new TaskHubNameError(`Task hub name "${taskHub}" must be 3–45 letters and digits, starting with a letter`);
    }
    this.history = TableClient.fromConnectionString(connectionString, `${taskHub}History`, { allowInsecureConnection: true });
  }

  async ensureTables(): Promise<void> {
    await this.history.createTable();
  }

  async readState(instanceId: string): Promise<InstanceState | undefined> {
    try {
      const row = await this.history.getEntity<Record<string, unknown>>(instanceId, stateRowKey);
      return fromStateRow(row);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * The history of one execution, the inbox rows it consumed, the index of the
   * next chunk and when the last chunk was written (the state row is only
   * rewritten when more than those changed, see {@link commit}).
   */
  async readHistory(instanceId: string, executionId: string): Promise<StoredHistory> {
    const prefix = `h:${executionId}:`;
    const rows = this.history.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge ${prefix} and RowKey lt ${prefix + "~"}`,
      },
    });
    const pieces: string[] = [];
    let chunkKey = "";
    let nextChunk = 0;
    const chunks: string[] = [];
    for await (const row of rows) {
      const key = row.rowKey!.slice(0, row.rowKey!.lastIndexOf(":"));
      if (key !== chunkKey && pieces.length > 0) chunks.push(pieces.splice(0).join(""));
      chunkKey = key;
      nextChunk = Number(key.slice(key.lastIndexOf(":") + 1)) + 1;
      pieces.push(getText(row, "d") ?? "");
    }
    if (pieces.length > 0) chunks.push(pieces.join(""));
    const history: StoredHistory = { events: [], consumed: new Set(), nextChunk };
    for (const text of chunks) {
      const chunk = JSON.parse(text) as StoredChunk;
      for (const event of chunk.events) history.events.push({ ...event, IsPlayed: true });
      for (const key of chunk.consumed) history.consumed.add(key);
      history.lastUpdated = chunk.at;
    }
    return history;
  }

  async readInbox(instanceId: string): Promise<InboxMessage[]> {
    const rows = this.history.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId} and RowKey ge 'm:' and RowKey lt 'm;'` },
    });
    const messages: InboxMessage[] = [];
    for await (const row of rows) {
      messages.push({ ...(JSON.parse(getText(row, "d") ?? "{}") as InboxMessage), rowKey: row.rowKey! });
    }
    return messages;
  }

  /**
   * Writes a new instance's state row unless the partition already has one:
   * false when it does (an earlier execution, or a concurrent start).
   */
  async insertState(state: InstanceState): Promise<boolean> {
    try {
      await writeEntity(this.history, ["create", toStateRow(state)]);
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  async addInbox(instanceId: string, message: InboxMessage): Promise<void> {
    await writeEntity(this.history, ["create", inboxRow(instanceId, message)]);
  }

  /**
   * Commits one episode atomically: the history chunk, the new state, consumed
   * inbox messages removed and new inbox messages added. Operations beyond one
   * batch (100) spill into follow-up batches; those only remove messages already
   * recorded as consumed in the chunk, which readers skip anyway.
   */
  async commit(commit: EpisodeCommit): Promise<void> {
    const { state } = commit;
    const actions: TransactionAction[] = [];
    const chunkRows: TableEntity<Record<string, unknown>>[] = [];
    if (commit.chunk) {
      const text = JSON.stringify(commit.chunk.data);
      splitForEntities(text).forEach((piece, part) => {
        const row: TableEntity<Record<string, unknown>> = {
          partitionKey: state.instanceId,
          rowKey: `h:${commit.chunk!.executionId}:${pad(commit.chunk!.index, 6)}:${pad(part, 3)}`,
        };
        putText(row, "d", piece);
        chunkRows.push(row);
        actions.push(["create", row]);
      });
    }
    const plainAppend = !commit.stateChanged && chunkRows.length === 1 && !commit.deleteRows?.length && !commit.addInbox?.length;
    if (plainAppend) {
      // Most episodes only append history; one insert is atomic on its own and cheaper than a batch.
      await writeEntity(this.history, ["create", chunkRows[0]!]);
      return;
    }
    actions.push(["upsert", toStateRow(state), "Replace"]);
    for (const message of commit.addInbox ?? []) actions.push(["create", inboxRow(state.instanceId, message)]);
    const deletions: TransactionAction[] = (commit.deleteRows ?? []).map((rowKey) => ["delete", { partitionKey: state.instanceId, rowKey }]);
    const room = Math.max(0, 100 - actions.length);
    await submitTransaction(this.history, [...actions, ...deletions.slice(0, room)]);
    for (let i = room; i < deletions.length; i += 100) {
      await this.deleteQuietly(deletions.slice(i, i + 100));
    }
  }

  /** Row keys of the history chunks of one (earlier) execution. */
  async chunkKeys(instanceId: string, executionId: string): Promise<string[]> {
    const prefix = `h:${executionId}:`;
    const keys: string[] = [];
    const rows = this.history.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge ${prefix} and RowKey lt ${prefix + "~"}`,
        select: ["RowKey"],
      },
    });
    for await (const row of rows) keys.push(row.rowKey!);
    return keys;
  }

  async deleteRows(instanceId: string, rowKeys: string[]): Promise<void> {
    for (let i = 0; i < rowKeys.length; i += 100) {
      await this.deleteQuietly(rowKeys.slice(i, i + 100).map((rowKey) => ["delete", { partitionKey: instanceId, rowKey }]));
    }
  }

  /** Removes an instance entirely: every row of its partition. */
  async purge(instanceId: string): Promise<void> {
    const keys: string[] = [];
    const rows = this.history.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ["RowKey"] },
    });
    for await (const row of rows) keys.push(row.rowKey!);
    await this.deleteRows(instanceId, keys);
  }

  /** Every instance's state row, optionally only those with one of `statuses`. */
  async listStates(statuses?: RuntimeStatus[]): Promise<InstanceState[]> {
    let filter = odata`RowKey eq ${stateRowKey}`;
    if (statuses && statuses.length > 0) filter += ` and (${statuses.map((s) => odata`runtimeStatus eq ${s}`).join(" or ")})`;
    const result: InstanceState[] = [];
    for await (const row of this.history.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      result.push(fromStateRow(row));
    }
    return result;
  }

  private async deleteQuietly(actions: TransactionAction[]): Promise<void> {
    // Deleting one by one tolerates rows that are already gone (a batch would fail as a whole).
    await Promise.all(
      actions.map(([, entity]) =>
        this.history.deleteEntity(entity.partitionKey, entity.rowKey).catch((error: unknown) => {
          if (!isStatus(error, 404)) throw error;
        }),
      ),
    );
  }
}

/** What one history chunk row holds: the episode's new events and the inbox rows it consumed. */
export interface StoredChunk {
  events: HistoryEvent[];
  consumed: string[];
  /** When the episode committed (ISO). */
  at: string;
}

/** The task hub name cannot name Azure tables (the extension has the same rule). */
export class TaskHubNameError extends Error {
  override readonly name = "TaskHubNameError";
  readonly code = "invalid_task_hub";
}

export interface StoredHistory {
  events: HistoryEvent[];
  consumed: Set<string>;
  nextChunk: number;
  lastUpdated?: string;
}

export interface EpisodeCommit {
  state: InstanceState;
  /**
   * Whether the state row must be written. When only `chunkCount`,
   * `lastUpdatedTime` or Pending → Running moved, readers derive those from the chunks.
   */
  stateChanged: boolean;
  chunk?: { executionId: string; index: number; data: StoredChunk };
  deleteRows?: string[];
  addInbox?: InboxMessage[];
}

const stateRowKey = "state";

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function inboxRow(instanceId: string, message: InboxMessage): TableEntity<Record<string, unknown>> {
  const row: TableEntity<Record<string, unknown>> = { partitionKey: instanceId, rowKey: message.rowKey };
  const { rowKey: _rowKey, ...body } = message;
  putText(row, "d", JSON.stringify(body));
  return row;
}

function toStateRow(state: InstanceState): TableEntity<Record<string, unknown>> {
  const row: TableEntity<Record<string, unknown>> = {
    partitionKey: state.instanceId,
    rowKey: stateRowKey,
    runtimeStatus: state.runtimeStatus,
  };
  putText(row, "d", JSON.stringify(state));
  return row;
}

function fromStateRow(row: Record<string, unknown>): InstanceState {
  return JSON.parse(getText(row, "d") ?? "{}") as InstanceState;
}

export function isStatus(error: unknown, status: number): boolean {
  return typeof error === "object" && error !== null && (error as { statusCode?: number }).statusCode === status;
}
