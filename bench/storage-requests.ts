import { subscribe } from "node:diagnostics_channel";
import type { Agent, ClientRequest } from "node:http";
import { transactionChannel } from "../lib/tables/submit-transaction.js";

/** What a storage request (or a loopback hop) was for. */
export const RequestKinds = ["ledger", "bus", "history", "other", "loopback"] as const;
export type RequestKind = (typeof RequestKinds)[number];
export type RequestCounts = Record<RequestKind, number>;

export interface CountedTargets {
  /** Azurite's Table and Blob ports: requests to them are storage requests. */
  tablePort: number;
  blobPort: number;
  /** devhost's own port: requests to it from inside the process are loopback hops (Durable client, bus sends). */
  devhostPort: number;
  /** Which kind a table belongs to, by its name; undefined → "other". */
  tableKind(table: string): RequestKind | undefined;
}

/**
 * Counts every HTTP request this process sends, by kind, from Node's own
 * diagnostics channels: `http.client.request.start` (the Azure SDK's Node
 * HTTP client, which every TableClient uses) and `undici:request:create`
 * (global `fetch`, which the Durable client and devhost's bus sender use).
 * Nothing in the app or devhost is changed or wrapped. An entity-group
 * transaction is POSTed to `/$batch`, so its table is only in the body: the
 * transaction's own channel (`transactionChannel`) names it by request id,
 * which the request carries as `x-ms-client-request-id`.
 *
 * The benchmark's own requests go through the agents given to
 * {@link StorageRequestCounter.leaveOut} and are left out. An agent, not an
 * AsyncLocalStorage around them: a store once used turns on Node's promise
 * hooks for the whole process, and so slows the very code being measured.
 */
export class StorageRequestCounter {
  readonly counts: RequestCounts = { ledger: 0, bus: 0, history: 0, other: 0, loopback: 0 };
  private readonly uncountedAgents = new Set<Agent>();
  /** Tables of the transactions on their way out, by request id. */
  private readonly batchTables = new Map<string, string>();

  constructor(private readonly targets: CountedTargets) {
    subscribe(transactionChannel.name, (message) => {
      const { table, requestId } = message as { table: string; requestId: string };
      this.batchTables.set(requestId, table);
    });
    subscribe("http.client.request.start", (message) => {
      const request = (message as { request: ClientRequest & { agent?: Agent } }).request;
      if (request.agent && this.uncountedAgents.has(request.agent)) return;
      this.count(String(request.getHeader("host") ?? ""), request.path, String(request.getHeader("x-ms-client-request-id") ?? ""));
    });
    subscribe("undici:request:create", (message) => {
      const request = (message as { request: { origin: string | URL; path: string } }).request;
      this.count(new URL(String(request.origin)).host, request.path);
    });
  }

  /** Leaves the requests sent through `agent` out of the counts. */
  leaveOut(agent: Agent): void {
    this.uncountedAgents.add(agent);
  }

  snapshot(): RequestCounts {
    return { ...this.counts };
  }

  /** Requests per job of each kind since `before`. */
  perJob(before: RequestCounts, jobs: number): RequestCounts {
    const per = (kind: RequestKind) => Number(((this.counts[kind] - before[kind]) / jobs).toFixed(2));
    return Object.fromEntries(RequestKinds.map((kind) => [kind, per(kind)])) as RequestCounts;
  }

  private count(host: string, path: string, requestId = ""): void {
    const batchTable = this.batchTables.get(requestId);
    // A retried transaction goes out again with the same id, so its name is kept until the run is over.
    const port = Number(host.slice(host.lastIndexOf(":") + 1));
    if (port === this.targets.devhostPort) this.counts.loopback++;
    else if (port === this.targets.blobPort) this.counts.other++;
    else if (port === this.targets.tablePort) this.counts[this.tableKindOf(path, batchTable)]++;
  }

  /** Path-style Azurite URLs: `/<account>/<table>(keys)`, `/<account>/<table>?$filter…`, `/<account>/$batch`, `/<account>/Tables…`. */
  private tableKindOf(path: string, batchTable = ""): RequestKind {
    const segment = decodeURIComponent(path.split("/")[2] ?? "");
    const table = segment.startsWith("$batch") ? batchTable : /^[^(?]*/.exec(segment)![0];
    return this.targets.tableKind(table) ?? "other";
  }
}
