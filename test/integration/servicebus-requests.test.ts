import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { tableProxy, type TableProxy } from "../../bench/table-proxy.js";
import { ServiceBusEmulator, type Topology } from "../../devhost/servicebus/index.js";
import { azuriteConnectionString } from "../support/storage.js";

const proxies: TableProxy[] = [];
const opened: ServiceBusEmulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** An hour: nothing in these tests may wait for a poll. */
const neverPolls = 3_600_000;

async function emulator(connectionString: string, topology: Topology, tablePrefix = `t${randomBytes(5).toString("hex")}`): Promise<ServiceBusEmulator> {
  const bus = new ServiceBusEmulator({ connectionString, topology, tablePrefix, log: () => undefined, receiver: { pollIntervalMs: neverPolls } });
  await bus.start();
  opened.push(bus);
  return bus;
}

/** Resolves once `handler` has been called `count` times in all. */
function counter(count: number): { seen: string[]; all: Promise<void>; record: (ids: string[]) => void } {
  const seen: string[] = [];
  let resolve!: () => void;
  const all = new Promise<void>((r) => (resolve = r));
  return {
    seen,
    all,
    record: (ids) => {
      seen.push(...ids);
      if (seen.length >= count) resolve();
    },
  };
}

describe("Service Bus emulator storage traffic", () => {
  it("delivers a message sent in the process to a waiting receiver without a poll: the poll interval is an hour", async () => {
    const bus = await emulator(azuriteConnectionString(), { topics: [{ name: "t", subscriptions: [{ name: "s" }] }] });
    const deliveries = counter(3);
    bus.subscribe("t", "s", async (messages) => deliveries.record(messages.map((m) => m.messageId)));
    // Sent after the receiver's first look at the subscription, so only a wake-up can deliver them.
    await new Promise((r) => setTimeout(r, 100));
    await bus.send(
      "t",
      [1, 2, 3].map((n) => ({ messageId: `w-${n}`, body: n })),
    );
    await deliveries.all;
    expect(deliveries.seen).toEqual(["w-1", "w-2", "w-3"]);
  });

  it("costs at most two Table requests per delivered message: one write when sent (copies and duplicate record), one when completed", async () => {
    const proxy = await tableProxy(azuriteConnectionString());
    proxies.push(proxy);
    const topology: Topology = {
      topics: [{ name: "t", subscriptions: [{ name: "red", filter: "color = 'red'" }, { name: "all" }] }],
    };
    const bus = await emulator(proxy.connectionString, topology);
    const n = 20;
    // Every message reaches "all"; the even ones reach "red" too (two copies, still one write).
    const deliveries = counter(n + n / 2);
    const before = proxy.requests;
    for (const sub of ["red", "all"]) bus.subscribe("t", sub, async (messages) => deliveries.record(messages.map((m) => `${sub}/${m.messageId}`)));
    for (let i = 0; i < n; i++) {
      await bus.send("t", [{ messageId: `m-${i}`, body: { i }, applicationProperties: { color: i % 2 === 0 ? "red" : "blue" } }]);
    }
    await deliveries.all;
    // close() waits for every handler to finish and its message to be completed.
    await bus.close();
    const perCopy = (proxy.requests - before) / deliveries.seen.length;
    console.log(
      `servicebus: ${proxy.requests - before} Table requests for ${deliveries.seen.length} delivered copies of ${n} messages (${perCopy.toFixed(2)} per copy)`,
    );
    expect(perCopy).toBeLessThanOrEqual(2);
    // Nothing was left behind: a fresh emulator on the same tables sees empty subscriptions.
    const check = await emulator(azuriteConnectionString(), topology, bus.tablePrefix);
    expect(await check.counts("t", "all")).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
    expect(await check.counts("t", "red")).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
  });

  it("shares one transaction among sends and completions that meet in a topic, each answered alone: a duplicate among them is still dropped", async () => {
    const proxy = await tableProxy(azuriteConnectionString());
    proxies.push(proxy);
    const topology: Topology = { topics: [{ name: "t", subscriptions: [{ name: "s" }] }] };
    const bus = await emulator(proxy.connectionString, topology);
    const n = 40;
    const deliveries = counter(n);
    bus.subscribe("t", "s", async (messages) => deliveries.record(messages.map((m) => m.messageId)));
    const before = proxy.requests;
    // Sent at once, one message per send as the app's activities send them; one id is sent twice.
    const ids = [...Array.from({ length: n }, (_, i) => `g-${i}`), "g-7"];
    await Promise.all(ids.map((id) => bus.send("t", [{ messageId: id, body: id }])));
    await deliveries.all;
    await bus.close();
    expect([...deliveries.seen].sort()).toEqual(ids.slice(0, n).sort());
    const requests = proxy.requests - before;
    console.log(`servicebus: ${requests} Table requests for ${n} messages sent and completed at once (${(requests / n).toFixed(2)} per message)`);
    // Alone, each message would cost two requests (a send and a completion), 2n in all; a shared round costs one for
    // all of its members, and the round the duplicate spoils is written again one by one.
    expect(requests).toBeLessThan(1.5 * n);
    const check = await emulator(azuriteConnectionString(), topology, bus.tablePrefix);
    expect(await check.counts("t", "s")).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
  });
});
