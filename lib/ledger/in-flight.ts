/**
 * In-flight job counters for backpressure: one row per tenant and one for
 * the whole app. Every change is a write conditional on the ETag last read,
 * so writers in different processes never overshoot a limit. Within one
 * process, changes to a row queue up and are applied together (group
 * commit): one conditional write admits or refuses every waiting request in
 * arrival order, so a burst costs a handful of writes instead of a storm of
 * conflicting ones.
 */
import { getOrUndefined, type LedgerContext } from "./context.js";
import { tenantPartition } from "./keys.js";
import { isConflict, isPreconditionFailed } from "./tables.js";
import { ConcurrentUpdateError } from "./errors.js";
import type { InFlightLimits } from "../config/settings.js";

export type { InFlightLimits };

export type Admission =
  | { admitted: true }
  | { admitted: false; scope: "tenant" | "global"; limit: number; in_flight: number };

const tenantsPartition = "tenant";
/** A counter row's keys; tenant rows also carry the raw tenant id, so drift repair can name the tenant. */
type Key = { partitionKey: string; rowKey: string; tenant_id?: string };
const globalKey: Key = { partitionKey: "global", rowKey: "all" };
const tenantKey = (tenantId: string): Key => ({ partitionKey: tenantsPartition, rowKey: tenantPartition(tenantId), tenant_id: tenantId });
/** Rounds of read-and-retry when other processes keep writing the same row. */
const maxRounds = 50;

interface Pending {
  delta: 1 | -1;
  limit: number;
  resolve: (outcome: { changed: boolean; count: number }) => void;
  reject: (error: unknown) => void;
}

/** One counter row as this process sees it, with the changes waiting to be written. */
class CounterRow {
  private queue: Pending[] = [];
  private running = false;
  private known: { count: number; etag?: string } | undefined;

  constructor(
    private readonly ctx: LedgerContext,
    private readonly key: Key,
  ) {}

  change(delta: 1 | -1, limit: number): Promise<{ changed: boolean; count: number }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ delta, limit, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          const outcomes = await this.apply(batch);
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (error) {
          this.known = undefined;
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Decides every waiting change against the stored count and writes the result once. */
  private async apply(batch: Pending[]): Promise<Array<{ changed: boolean; count: number }>> {
    const table = this.ctx.tables.inflight;
    for (let round = 1; round <= maxRounds; round++) {
      let fresh = false;
      if (!this.known) {
        const row = await getOrUndefined(table, this.key.partitionKey, this.key.rowKey);
        this.known = row ? { count: Number(row.count ?? 0), etag: String(row.etag) } : { count: 0 };
        fresh = true;
      }
      // Releases first: a place given back is free for the admissions waiting beside it.
      let count = this.known.count;
      const outcomes = batch.map(() => ({ changed: false, count: 0 }));
      batch.forEach((p, i) => {
        if (p.delta < 0) {
          count = Math.max(0, count - 1);
          outcomes[i] = { changed: true, count };
        }
      });
      batch.forEach((p, i) => {
        if (p.delta > 0) {
          if (count + 1 > p.limit) outcomes[i] = { changed: false, count };
          else outcomes[i] = { changed: true, count: ++count };
        }
      });
      // A refusal must rest on the stored count, not on what this process last wrote:
      // another process may have given places back since.
      const refuses = outcomes.some((o, i) => batch[i]!.delta > 0 && !o.changed);
      if (refuses && !fresh) {
        this.known = undefined;
        continue;
      }
      if (count === this.known.count) return outcomes;
      try {
        const entity = { ...this.key, count };
        const result = this.known.etag
          ? await table.updateEntity(entity, "Replace", { etag: this.known.etag })
          : await table.createEntity(entity);
        this.known = result.etag ? { count, etag: result.etag } : undefined;
        return outcomes;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isConflict(error)) throw error;
        this.known = undefined; // another process wrote it: read again and decide again
      }
    }
    throw new ConcurrentUpdateError("in-flight counter", this.key.rowKey, maxRounds);
  }

  forget(): void {
    this.known = undefined;
  }
}

const rows = new WeakMap<LedgerContext, Map<string, CounterRow>>();

function row(ctx: LedgerContext, key: Key): CounterRow {
  let byKey = rows.get(ctx);
  if (!byKey) rows.set(ctx, (byKey = new Map()));
  const id = `${key.partitionKey}\n${key.rowKey}`;
  let found = byKey.get(id);
  if (!found) byKey.set(id, (found = new CounterRow(ctx, key)));
  return found;
}

export function limitFor(limits: InFlightLimits, tenantId: string): number {
  return limits.overrides[tenantId] ?? limits.perTenant;
}

/** Takes one in-flight place for the tenant and one overall, or neither. */
export async function admit(ctx: LedgerContext, tenantId: string, limits: InFlightLimits): Promise<Admission> {
  const tenantLimit = limitFor(limits, tenantId);
  const tenant = await row(ctx, tenantKey(tenantId)).change(+1, tenantLimit);
  if (!tenant.changed) return { admitted: false, scope: "tenant", limit: tenantLimit, in_flight: tenant.count };
  const global = await row(ctx, globalKey).change(+1, limits.global);
  if (!global.changed) {
    await row(ctx, tenantKey(tenantId)).change(-1, Infinity);
    return { admitted: false, scope: "global", limit: limits.global, in_flight: global.count };
  }
  return { admitted: true };
}

/** Gives back the places {@link admit} took; never below zero. */
export async function release(ctx: LedgerContext, tenantId: string): Promise<void> {
  await row(ctx, tenantKey(tenantId)).change(-1, Infinity);
  await row(ctx, globalKey).change(-1, Infinity);
}

/** The counters as stored: per tenant id and overall. */
export async function readCounters(ctx: LedgerContext): Promise<{ tenants: Map<string, number>; global: number }> {
  const tenants = new Map<string, number>();
  let global = 0;
  for await (const entity of ctx.tables.inflight.listEntities<{ count: number; tenant_id: string }>()) {
    if (entity.partitionKey === tenantsPartition) tenants.set(entity.tenant_id, Number(entity.count));
    else if (entity.partitionKey === globalKey.partitionKey) global = Number(entity.count);
  }
  return { tenants, global };
}

/** Sets a tenant's counter (or the overall one with `tenantId` undefined) to a recomputed value. */
export async function setCounter(ctx: LedgerContext, tenantId: string | undefined, count: number): Promise<void> {
  const key = tenantId === undefined ? globalKey : tenantKey(tenantId);
  await ctx.tables.inflight.upsertEntity({ ...key, count }, "Replace");
  row(ctx, key).forget();
}

export async function readCounter(ctx: LedgerContext, tenantId: string | undefined): Promise<number> {
  const key = tenantId === undefined ? globalKey : tenantKey(tenantId);
  return Number((await getOrUndefined(ctx.tables.inflight, key.partitionKey, key.rowKey))?.count ?? 0);
}
