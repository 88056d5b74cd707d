/**
 * In-flight job counters for backpressure: one row per tenant and one for
 * the whole app, all in one partition, so one entity-group transaction can
 * change a tenant's row and the overall row together. Every write is
 * conditional on the ETags last read, so writers in different processes
 * never overshoot a limit. Within one process, changes queue up and are
 * applied together (group commit): one batch admits or refuses every waiting
 * request in arrival order and gives back every waiting place, so a burst
 * costs a handful of writes instead of a storm of conflicting ones, and an
 * admission or a release alone costs one.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { getOrUndefined, type LedgerContext } from "./context.js";
import { tenantPartition } from "./keys.js";
import { isConflict, isPreconditionFailed } from "./tables.js";
import { maxBatchOperations, writeRows, type RowWrite } from "./row-writes.js";
import { ConcurrentUpdateError } from "./errors.js";
import type { InFlightLimits } from "../config/settings.js";

export type { InFlightLimits };

export type Admission = { admitted: true } | { admitted: false; scope: "tenant" | "global"; limit: number; in_flight: number };

const countersPartition = "counters";
const globalRowKey = "all";
/** Tenant rows carry the raw tenant id too, so drift repair can name the tenant. */
const tenantRowKey = (tenantId: string) => `t_${tenantPartition(tenantId)}`;
/** Rounds of read-and-retry when other processes keep writing the same rows. */
const maxRounds = 50;

type Pending =
  | { kind: "release"; tenantId: string; resolve: () => void; reject: (error: unknown) => void }
  | { kind: "admit"; tenantId: string; tenantLimit: number; globalLimit: number; resolve: (admission: Admission) => void; reject: (error: unknown) => void };

interface Known {
  count: number;
  etag?: string;
  tenant_id?: string;
}

/** The counter rows as this process sees them, with the changes waiting to be written. */
class Counters {
  private queue: Pending[] = [];
  private running = false;
  private readonly known = new Map<string, Known>();

  constructor(private readonly table: TableClient) {}

  change(pending: Pending): void {
    this.queue.push(pending);
    if (!this.running) void this.drain();
  }

  forget(rowKey: string): void {
    this.known.delete(rowKey);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const outcomes = await this.apply(batch);
          batch.forEach((p, i) => (p.kind === "admit" ? p.resolve(outcomes[i]!) : p.resolve()));
        } catch (error) {
          this.known.clear();
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** The waiting changes, in arrival order, whose rows fit in one batch beside the overall row. */
  private take(): Pending[] {
    const tenants = new Set<string>();
    let n = 0;
    for (; n < this.queue.length; n++) {
      const tenant = this.queue[n]!.tenantId;
      if (!tenants.has(tenant) && tenants.size === maxBatchOperations - 1) break;
      tenants.add(tenant);
    }
    return this.queue.splice(0, n);
  }

  /** Reads the rows this process does not hold, in one query. */
  private async read(rowKeys: string[]): Promise<void> {
    const missing = rowKeys.filter((k) => !this.known.has(k));
    if (missing.length === 0) return;
    const filter = `${odata`PartitionKey eq ${countersPartition}`} and (${missing.map((k) => odata`RowKey eq ${k}`).join(" or ")})`;
    for (const k of missing) this.known.set(k, { count: 0 });
    for await (const row of this.table.listEntities<{ count: number; tenant_id?: string }>({ queryOptions: { filter } })) {
      this.known.set(row.rowKey!, { count: Number(row.count ?? 0), etag: String(row.etag), ...(row.tenant_id ? { tenant_id: row.tenant_id } : {}) });
    }
  }

  /** Decides every waiting change against the stored counts and writes the result once. */
  private async apply(batch: Pending[]): Promise<Array<Admission | undefined>> {
    const keys = [globalRowKey, ...new Set(batch.map((p) => tenantRowKey(p.tenantId)))];
    for (let round = 1; round <= maxRounds; round++) {
      const fresh = new Set(keys.filter((k) => !this.known.has(k)));
      await this.read(keys);
      // Drift repair may have made this process forget a row while it was being read: read again.
      if (keys.some((k) => !this.known.has(k))) continue;
      const counts = new Map(keys.map((k) => [k, this.known.get(k)!.count]));
      const tenantIds = new Map(batch.map((p) => [tenantRowKey(p.tenantId), p.tenantId]));
      // Releases first: a place given back is free for the admissions waiting beside it.
      for (const p of batch) {
        if (p.kind === "admit") continue;
        const key = tenantRowKey(p.tenantId);
        counts.set(key, Math.max(0, counts.get(key)! - 1));
        counts.set(globalRowKey, Math.max(0, counts.get(globalRowKey)! - 1));
      }
      const outcomes = batch.map((p): Admission | undefined => {
        if (p.kind === "release") return undefined;
        const key = tenantRowKey(p.tenantId);
        const tenant = counts.get(key)!;
        const global = counts.get(globalRowKey)!;
        if (tenant + 1 > p.tenantLimit) return { admitted: false, scope: "tenant", limit: p.tenantLimit, in_flight: tenant };
        if (global + 1 > p.globalLimit) return { admitted: false, scope: "global", limit: p.globalLimit, in_flight: global };
        counts.set(key, tenant + 1);
        counts.set(globalRowKey, global + 1);
        return { admitted: true };
      });
      // A refusal must rest on the stored counts, not on what this process last wrote:
      // another process may have given places back since.
      const refused = outcomes.some((o) => o !== undefined && !o.admitted);
      if (refused && keys.some((k) => !fresh.has(k))) {
        this.known.clear();
        continue;
      }
      const writes: RowWrite[] = [];
      for (const key of keys) {
        const known = this.known.get(key)!;
        if (counts.get(key) === known.count) continue;
        const tenantId = tenantIds.get(key) ?? known.tenant_id;
        const entity = { partitionKey: countersPartition, rowKey: key, count: counts.get(key)!, ...(tenantId !== undefined ? { tenant_id: tenantId } : {}) };
        writes.push(known.etag ? { kind: "update", entity, etag: known.etag } : { kind: "create", entity });
      }
      if (writes.length === 0) return outcomes;
      try {
        const etags = await writeRows(this.table, writes);
        for (const w of writes) {
          const etag = etags.get(w.entity.rowKey);
          if (etag)
            this.known.set(w.entity.rowKey, { count: Number(w.entity.count), etag, ...(w.entity.tenant_id ? { tenant_id: String(w.entity.tenant_id) } : {}) });
          else this.known.delete(w.entity.rowKey);
        }
        return outcomes;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isConflict(error)) throw error;
        for (const key of keys) this.known.delete(key); // another process wrote them: read again and decide again
      }
    }
    throw new ConcurrentUpdateError("in-flight counter", keys.join(","), maxRounds);
  }
}

const byContext = new WeakMap<LedgerContext, Counters>();

function counters(ctx: LedgerContext): Counters {
  let found = byContext.get(ctx);
  if (!found) byContext.set(ctx, (found = new Counters(ctx.tables.inflight)));
  return found;
}

export function limitFor(limits: InFlightLimits, tenantId: string): number {
  return limits.overrides[tenantId] ?? limits.perTenant;
}

/** Takes one in-flight place for the tenant and one overall, or neither. */
export function admit(ctx: LedgerContext, tenantId: string, limits: InFlightLimits): Promise<Admission> {
  return new Promise((resolve, reject) =>
    counters(ctx).change({ kind: "admit", tenantId, tenantLimit: limitFor(limits, tenantId), globalLimit: limits.global, resolve, reject }),
  );
}

/** Gives back the places {@link admit} took; never below zero. */
export function release(ctx: LedgerContext, tenantId: string): Promise<void> {
  return new Promise((resolve, reject) => counters(ctx).change({ kind: "release", tenantId, resolve, reject }));
}

/** The counters as stored: per tenant id and overall. */
export async function readCounters(ctx: LedgerContext): Promise<{ tenants: Map<string, number>; global: number }> {
  const tenants = new Map<string, number>();
  let global = 0;
  const filter = odata`PartitionKey eq ${countersPartition}`;
  for await (const entity of ctx.tables.inflight.listEntities<{ count: number; tenant_id?: string }>({ queryOptions: { filter } })) {
    if (entity.rowKey === globalRowKey) global = Number(entity.count);
    else if (entity.tenant_id !== undefined) tenants.set(entity.tenant_id, Number(entity.count));
  }
  return { tenants, global };
}

/** Sets a tenant's counter (or the overall one with `tenantId` undefined) to a recomputed value. */
export async function setCounter(ctx: LedgerContext, tenantId: string | undefined, count: number): Promise<void> {
  const rowKey = tenantId === undefined ? globalRowKey : tenantRowKey(tenantId);
  await ctx.tables.inflight.upsertEntity(
    { partitionKey: countersPartition, rowKey, count, ...(tenantId !== undefined ? { tenant_id: tenantId } : {}) },
    "Replace",
  );
  counters(ctx).forget(rowKey);
}

export async function readCounter(ctx: LedgerContext, tenantId: string | undefined): Promise<number> {
  const rowKey = tenantId === undefined ? globalRowKey : tenantRowKey(tenantId);
  return Number((await getOrUndefined(ctx.tables.inflight, countersPartition, rowKey))?.count ?? 0);
}
