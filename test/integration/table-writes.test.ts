import { randomBytes } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { odata, TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/storage.js";
import { submitTransaction, transactionChannel } from "../../lib/tables/submit-transaction.js";
import { writeEntity } from "../../lib/tables/write-entity.js";

let table: TableClient;

beforeAll(async () => {
  table = TableClient.fromConnectionString(azuriteConnectionString(), `tx${randomBytes(6).toString("hex")}`, { allowInsecureConnection: true });
  await table.createTable();
});

const partition = () => `p-${randomBytes(4).toString("hex")}`;
/** What a read gives back, without what the service sets (ETag, Timestamp). */
const stored = (row: TableEntityResult<Record<string, unknown>>) => {
  const { etag: _etag, timestamp: _timestamp, ...rest } = row;
  return rest;
};
const rowsOf = async (pk: string) => {
  const rows: Record<string, unknown>[] = [];
  for await (const row of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq ${pk}` },
    disableTypeConversion: true,
  })) {
    rows.push(stored(row));
  }
  return rows;
};
/** The same actions, once through the SDK's `submitTransaction` into one partition and once through ours into another. */
async function bothWays(actionsFor: (pk: string) => TransactionAction[]): Promise<[Record<string, unknown>[], Record<string, unknown>[]]> {
  const [theirs, ours] = [partition(), partition()];
  await table.submitTransaction(actionsFor(theirs));
  await submitTransaction(table, actionsFor(ours));
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ partitionKey: _pk, ...rest }) => rest);
  return [strip(await rowsOf(theirs)), strip(await rowsOf(ours))];
}

describe("entity-group transactions through the client's pipeline", () => {
  it("store every EDM type exactly as the SDK's own transactions store it", async () => {
    const entity = (pk: string, rowKey: string) => ({
      partitionKey: pk,
      rowKey,
      text: "x".repeat(300),
      int: 42,
      double: 1.5,
      flag: true,
      int64: { value: "9007199254740993", type: "Int64" as const },
      bigint: 1234567890123456789n,
      when: new Date("2026-12-03T10:00:00.123Z"),
      bytes: new Uint8Array([0, 1, 2, 254, 255]),
      guid: { value: "a0b1c2d3-0000-4000-8000-000000000001", type: "Guid" as const },
    });
    const [theirs, ours] = await bothWays((pk) => [
      ["create", entity(pk, "a")],
      ["create", entity(pk, "h:odd key 'quote'|é%+")],
    ]);
    expect(ours).toEqual(theirs);
    expect(ours).toHaveLength(2);
  });

  it("replace, merge and upsert as the SDK does, and return each written row's ETag in order", async () => {
    const seed = async (pk: string) => {
      await table.createEntity({ partitionKey: pk, rowKey: "r", a: "1", b: "2" });
      await table.createEntity({ partitionKey: pk, rowKey: "m", a: "1", b: "2" });
      await table.createEntity({ partitionKey: pk, rowKey: "gone", a: "1" });
    };
    const actions = (pk: string): TransactionAction[] => [
      ["update", { partitionKey: pk, rowKey: "r", a: "replaced" }, "Replace"],
      ["update", { partitionKey: pk, rowKey: "m", a: "merged" }, "Merge"],
      ["upsert", { partitionKey: pk, rowKey: "new-replace", c: "3" }, "Replace"],
      ["upsert", { partitionKey: pk, rowKey: "m2", d: "4" }, "Merge"],
      ["delete", { partitionKey: pk, rowKey: "gone" }],
    ];
    const [theirs, ours] = [partition(), partition()];
    await Promise.all([seed(theirs), seed(ours)]);
    await table.submitTransaction(actions(theirs));
    const response = await submitTransaction(table, actions(ours));
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ partitionKey: _pk, ...rest }) => rest);
    expect(strip(await rowsOf(ours))).toEqual(strip(await rowsOf(theirs)));
    expect(response.subResponses.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    const replaced = await table.getEntity(ours, "r");
    expect(response.subResponses[0]!.etag).toBe(replaced.etag);
  });

  it("write nothing and throw the failed operation's status and code when one ETag is stale", async () => {
    const pk = partition();
    const first = await table.createEntity({ partitionKey: pk, rowKey: "job", v: 1 });
    await table.updateEntity({ partitionKey: pk, rowKey: "job", v: 2 }, "Replace", { etag: first.etag });
    const attempt = submitTransaction(table, [
      ["create", { partitionKey: pk, rowKey: "event", v: 3 }],
      ["update", { partitionKey: pk, rowKey: "job", v: 3 }, "Replace", { etag: first.etag }],
    ]);
    await expect(attempt).rejects.toMatchObject({ name: "RestError", statusCode: 412, code: "UpdateConditionNotSatisfied" });
    expect((await rowsOf(pk)).map((r) => r.rowKey)).toEqual(["job"]);
    expect((await table.getEntity(pk, "job")).v).toBe(2);
  });

  it("write nothing and throw 409 EntityAlreadyExists when a created row exists", async () => {
    const pk = partition();
    await table.createEntity({ partitionKey: pk, rowKey: "b" });
    const attempt = submitTransaction(table, [
      ["create", { partitionKey: pk, rowKey: "a" }],
      ["create", { partitionKey: pk, rowKey: "b" }],
    ]);
    await expect(attempt).rejects.toMatchObject({ statusCode: 409, code: "EntityAlreadyExists" });
    expect((await rowsOf(pk)).map((r) => r.rowKey)).toEqual(["b"]);
  });

  it("refuse actions on two partitions before sending anything", async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe(transactionChannel.name, listener);
    try {
      const attempt = submitTransaction(table, [
        ["create", { partitionKey: "one", rowKey: "a" }],
        ["create", { partitionKey: "two", rowKey: "a" }],
      ]);
      await expect(attempt).rejects.toThrow(/same partitionKey/);
      expect(seen).toEqual([]);
      await submitTransaction(table, [["create", { partitionKey: partition(), rowKey: "a" }]]);
      expect(seen).toEqual([{ table: table.tableName, requestId: expect.any(String) }]);
    } finally {
      unsubscribe(transactionChannel.name, listener);
    }
  });
});

describe("single-entity writes through the client's pipeline", () => {
  it("store what the SDK's own writes store, and answer the row's new ETag", async () => {
    const entity = (pk: string) => ({
      partitionKey: pk,
      rowKey: "m:000001:'x'|é",
      text: "t",
      int64: { value: "9007199254740993", type: "Int64" as const },
      when: new Date("2026-12-03T10:00:00.123Z"),
      flag: false,
    });
    const [theirs, ours] = [partition(), partition()];
    await table.createEntity(entity(theirs));
    const created = await writeEntity(table, ["create", entity(ours)]);
    expect(created.etag).toBe((await table.getEntity(ours, "m:000001:'x'|é")).etag);
    await table.updateEntity({ partitionKey: theirs, rowKey: "m:000001:'x'|é", extra: 1 }, "Merge");
    const merged = await writeEntity(table, ["update", { partitionKey: ours, rowKey: "m:000001:'x'|é", extra: 1 }, "Merge"]);
    await table.upsertEntity({ partitionKey: theirs, rowKey: "u", a: "1" }, "Replace");
    await writeEntity(table, ["upsert", { partitionKey: ours, rowKey: "u", a: "1" }, "Replace"]);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ partitionKey: _pk, ...rest }) => rest);
    expect(strip(await rowsOf(ours))).toEqual(strip(await rowsOf(theirs)));
    expect(merged.etag).toBe((await table.getEntity(ours, "m:000001:'x'|é")).etag);
  });

  it("throw the service's status and code, and change nothing, for a stale ETag, an existing row or a missing one", async () => {
    const pk = partition();
    const first = await writeEntity(table, ["create", { partitionKey: pk, rowKey: "r", v: 1 }]);
    const second = await writeEntity(table, ["update", { partitionKey: pk, rowKey: "r", v: 2 }, "Replace", { etag: first.etag }]);
    await expect(writeEntity(table, ["update", { partitionKey: pk, rowKey: "r", v: 3 }, "Replace", { etag: first.etag }])).rejects.toMatchObject({
      name: "RestError",
      statusCode: 412,
      code: "UpdateConditionNotSatisfied",
    });
    await expect(writeEntity(table, ["create", { partitionKey: pk, rowKey: "r", v: 4 }])).rejects.toMatchObject({
      statusCode: 409,
      code: "EntityAlreadyExists",
    });
    await expect(writeEntity(table, ["delete", { partitionKey: pk, rowKey: "r" }, { etag: first.etag }])).rejects.toMatchObject({ statusCode: 412 });
    await expect(writeEntity(table, ["delete", { partitionKey: pk, rowKey: "absent" }])).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    expect((await table.getEntity(pk, "r")).v).toBe(2);
    await writeEntity(table, ["delete", { partitionKey: pk, rowKey: "r" }, { etag: second.etag }]);
    expect(await rowsOf(pk)).toEqual([]);
  });
});
