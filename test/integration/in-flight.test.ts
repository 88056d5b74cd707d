import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { azuriteConnectionString, storageAt, uniqueTableNames } from "../support/storage.js";
import { useProxiedLedger } from "../support/proxied-ledger.js";
import { Ledger } from "../../lib/ledger/index.js";

const limits = (perTenant: number, global = 1000) => ({ perTenant, overrides: {}, global });
const fixture = useProxiedLedger();
/** Each Ledger holds its own counter rows and queue, as one process does. */
const processLedger = () => Ledger.connect({ storage: storageAt(azuriteConnectionString()), tables: fixture.tables, ensureTables: false });

describe("in-flight counters", () => {
  it("never admit past a tenant's limit when processes race, and give every place back", async () => {
    const [a, b, c] = await Promise.all([processLedger(), processLedger(), processLedger()]);
    const outcomes = await Promise.all([a, b, c].flatMap((ledger) => Array.from({ length: 8 }, () => ledger.admit("race", limits(5)))));
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.admitted).every((o) => !o.admitted && o.scope === "tenant" && o.limit === 5)).toBe(true);
    expect(await a.readInFlight("race")).toBe(5);
    await Promise.all([a.release("race"), b.release("race"), c.release("race"), a.release("race"), b.release("race")]);
    expect(await a.readInFlight("race")).toBe(0);
  });

  it("admit while drift repair resets the counter being read, in the same process (the reconciler at start-up)", async () => {
    const own = uniqueTableNames();
    const ledger = await Ledger.connect({ storage: storageAt(azuriteConnectionString()), tables: own });
    // The reconciler writes the tenant's counter (and this process forgets the row) after the
    // admission's read of the counters was answered, before its rows are taken in.
    const list = TableClient.prototype.listEntities;
    let repair: (() => Promise<void>) | undefined = () => ledger.setInFlight("repair", 0);
    TableClient.prototype.listEntities = function (this: TableClient, ...args: Parameters<typeof list>) {
      const rows = list.apply(this, args);
      const hook = this.tableName === own.inflight ? repair : undefined;
      if (!hook) return rows;
      repair = undefined;
      return (async function* () {
        const answered = [];
        for await (const row of rows) answered.push(row);
        await hook();
        yield* answered;
      })() as unknown as ReturnType<typeof list>;
    } as typeof list;
    try {
      expect(await ledger.admit("repair", limits(1000))).toEqual({ admitted: true });
      expect(repair).toBeUndefined();
      expect(await ledger.readInFlight("repair")).toBe(1);
    } finally {
      TableClient.prototype.listEntities = list;
    }
  });

  it("refuse on the stored counts: a place another process gave back is free", async () => {
    const [a, b] = await Promise.all([processLedger(), processLedger()]);
    expect((await a.admit("refill", limits(1))).admitted).toBe(true);
    expect((await a.admit("refill", limits(1))).admitted).toBe(false);
    await b.release("refill");
    expect((await a.admit("refill", limits(1))).admitted).toBe(true);
  });

  it("keep a tenant's row and the overall row in step, and refuse on the overall limit", async () => {
    const ledger = await processLedger();
    const before = await ledger.readInFlight();
    expect((await ledger.admit("whole-1", limits(10, before + 1))).admitted).toBe(true);
    expect(await ledger.admit("whole-2", limits(10, before + 1))).toEqual({ admitted: false, scope: "global", limit: before + 1, in_flight: before + 1 });
    expect([await ledger.readInFlight("whole-1"), await ledger.readInFlight("whole-2"), await ledger.readInFlight()]).toEqual([1, 0, before + 1]);
    await ledger.release("whole-1");
    expect(await ledger.readInFlight()).toBe(before);
    const { tenants } = await ledger.readInFlightCounters();
    expect(tenants.get("whole-1")).toBe(0);
  });

  it("cost one request per admission and per release once a process holds the rows", async () => {
    const ledger = await fixture.viaProxy();
    await ledger.admit("one-write", limits(10));
    await ledger.release("one-write");
    let start = fixture.proxy.requests;
    await ledger.admit("one-write", limits(10));
    expect(fixture.proxy.requests - start).toBe(1);
    start = fixture.proxy.requests;
    await ledger.release("one-write");
    expect(fixture.proxy.requests - start).toBe(1);
  });
});
