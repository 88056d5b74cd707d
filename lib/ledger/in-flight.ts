/**
 * In-flight job counters for backpressure: one row per tenant and one for
 * the whole app, each changed only by a write conditional on the ETag it
 * read, so concurrent submissions never overshoot a limit.
 */
import { setTimeout as sleep } from "node:timers/promises";
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
const globalKey = { partitionKey: "global", rowKey: "all" } as const;
const tenantKey = (tenantId: string) => ({ partitionKey: tenantsPartition, rowKey: tenantPartition(tenantId), tenant_id: tenantId });
/** Many writers race on one row under load; each round one of them wins, so allow plenty of rounds. */
const maxRounds = 200;

/** A counter row's keys; tenant rows also carry the raw tenant id, so drift repair can name the tenant. */
type Key = { partitionKey: string; rowKey: string; tenant_id?: string };

/** Adds `delta` unless that would pass `limit` (or go below 0); returns the count it saw. */
async function change(ctx: LedgerContext, key: Key, delta: number, limit = Infinity): Promise<{ changed: boolean; count: number }> {
  const table = ctx.tables.inflight;
  for (let round = 1; round <= maxRounds; round++) {
    const row = await getOrUndefined(table, key.partitionKey, key.rowKey);
    const count = Number(row?.count ?? 0);
    const next = Math.max(0, count + delta);
    if (delta > 0 && next > limit) return { changed: false, count };
    try {
      if (!row) await table.createEntity({ ...key, count: next });
      else await table.updateEntity({ ...key, count: next }, "Replace", { etag: String(row.etag) });
      return { changed: true, count: next };
    } catch (error) {
      if (!isPreconditionFailed(error) && !isConflict(error)) throw error;
      await sleep(Math.random() * Math.min(50, round * 2));
    }
  }
  throw new ConcurrentUpdateError("in-flight counter", key.rowKey, maxRounds);
}

export function limitFor(limits: InFlightLimits, tenantId: string): number {
  return limits.overrides[tenantId] ?? limits.perTenant;
}

/** Takes one in-flight place for the tenant and one overall, or neither. */
export async function admit(ctx: LedgerContext, tenantId: string, limits: InFlightLimits): Promise<Admission> {
  const tenantLimit = limitFor(limits, tenantId);
  const tenant = await change(ctx, tenantKey(tenantId), +1, tenantLimit);
  if (!tenant.changed) return { admitted: false, scope: "tenant", limit: tenantLimit, in_flight: tenant.count };
  const global = await change(ctx, globalKey, +1, limits.global);
  if (!global.changed) {
    await change(ctx, tenantKey(tenantId), -1);
    return { admitted: false, scope: "global", limit: limits.global, in_flight: global.count };
  }
  return { admitted: true };
}

/** Gives back the places {@link admit} took; never below zero. */
export async function release(ctx: LedgerContext, tenantId: string): Promise<void> {
  await change(ctx, tenantKey(tenantId), -1);
  await change(ctx, globalKey, -1);
}

/** The counters as stored: per tenant id and overall. */
export async function readCounters(ctx: LedgerContext): Promise<{ tenants: Map<string, number>; global: number }> {
  const tenants = new Map<string, number>();
  let global = 0;
  for await (const row of ctx.tables.inflight.listEntities<{ count: number; tenant_id: string }>()) {
    if (row.partitionKey === tenantsPartition) tenants.set(row.tenant_id, Number(row.count));
    else if (row.partitionKey === globalKey.partitionKey) global = Number(row.count);
  }
  return { tenants, global };
}

/** Sets a tenant's counter (or the overall one with `tenantId` undefined) to a recomputed value. */
export async function setCounter(ctx: LedgerContext, tenantId: string | undefined, count: number): Promise<void> {
  const key = tenantId === undefined ? globalKey : tenantKey(tenantId);
  await ctx.tables.inflight.upsertEntity({ ...key, count }, "Replace");
}

export async function readCounter(ctx: LedgerContext, tenantId: string | undefined): Promise<number> {
  const key = tenantId === undefined ? globalKey : tenantKey(tenantId);
  return Number((await getOrUndefined(ctx.tables.inflight, key.partitionKey, key.rowKey))?.count ?? 0);
}
