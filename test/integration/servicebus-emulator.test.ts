import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { tableProxy } from "../../bench/table-proxy.js";
import { EmulatorError, ServiceBusEmulator, type LockedMessage, type Topology } from "../../devhost/servicebus/index.js";
import { azuriteConnectionString } from "../support/storage.js";

const opened: ServiceBusEmulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

const prefix = () => `t${randomBytes(5).toString("hex")}`;

async function emulator(topology: Topology, tablePrefix = prefix(), connectionString = azuriteConnectionString()): Promise<ServiceBusEmulator> {
  const instance = new ServiceBusEmulator({ connectionString, topology, tablePrefix, log: () => undefined });
  await instance.start();
  opened.push(instance);
  return instance;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Receives until something is locked (the message becomes visible when its lock or schedule runs out). */
async function receiveOne(bus: ServiceBusEmulator, topic: string, sub: string): Promise<LockedMessage> {
  for (;;) {
    const [message] = await bus.receive(topic, sub);
    if (message) return message;
    await sleep(25);
  }
}

describe("ServiceBusEmulator", () => {
  it("redelivers a message locked by a process that died to the next one on the same storage, without waiting for the dead lock", async () => {
    const tablePrefix = prefix();
    // An hour-long lock: only a lock that died with its process lets the message through in time.
    const topology: Topology = { topics: [{ name: "t", subscriptions: [{ name: "s", lockDurationMs: 3_600_000 }] }] };
    const crashed = await emulator(topology, tablePrefix);
    await crashed.send("t", [{ messageId: "m-1", body: { v: 1 } }]);
    const [held] = await crashed.receive("t", "s");
    expect(held!.deliveryCount).toBe(1);
    // The first instance never settles (it "died"); a second one delivers again what it held.
    const restarted = await emulator(topology, tablePrefix);
    const seen: LockedMessage[] = [];
    const done = new Promise<void>((resolve) => {
      restarted.subscribe("t", "s", async (messages) => {
        seen.push(...messages);
        resolve();
      });
    });
    await done;
    // The delivery the crash interrupted was never written, so it is not counted (see the README).
    expect(seen.map((m) => [m.messageId, m.deliveryCount, m.body])).toEqual([["m-1", 1, { v: 1 }]]);
    for (;;) {
      if ((await restarted.counts("t", "s")).active === 0) break;
      await sleep(25);
    }
    await expect(crashed.complete(held!)).rejects.toThrow(EmulatorError);
  });

  it("keeps the count of a delivery whose lock expired across a restart, and wakes for a scheduled message it loaded", async () => {
    const tablePrefix = prefix();
    const topology: Topology = { topics: [{ name: "t", subscriptions: [{ name: "s", lockDurationMs: 100 }] }] };
    const crashed = await emulator(topology, tablePrefix);
    const at = new Date(Date.now() + 600);
    await crashed.send("t", [
      { messageId: "m-1", body: 1 },
      { messageId: "later", body: 2, scheduledEnqueueTimeUtc: at },
    ]);
    expect((await crashed.receive("t", "s"))[0]!.deliveryCount).toBe(1);
    // The lock expires; locking it again writes the count of both deliveries.
    expect((await receiveOne(crashed, "t", "s")).deliveryCount).toBe(2);
    const restarted = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s", lockDurationMs: 60_000 }] }] }, tablePrefix);
    const seen: Array<[string, number]> = [];
    const both = new Promise<void>((resolve) => {
      restarted.subscribe(
        "t",
        "s",
        async (messages) => {
          seen.push(...messages.map((m): [string, number] => [m.messageId, m.deliveryCount]));
          if (seen.length === 2) resolve();
        },
        { pollIntervalMs: 3_600_000 },
      );
    });
    await both;
    expect(seen).toEqual([
      ["m-1", 3],
      ["later", 1],
    ]);
  });

  it("dead-letters a message whose locks keep expiring once it reaches maxDeliveryCount", async () => {
    const bus = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s", lockDurationMs: 100, maxDeliveryCount: 2 }] }] });
    await bus.send("t", [{ messageId: "m-1", body: 1 }]);
    expect((await receiveOne(bus, "t", "s")).deliveryCount).toBe(1);
    expect((await receiveOne(bus, "t", "s")).deliveryCount).toBe(2);
    for (;;) {
      const letters = await bus.deadLetters("t", "s");
      if (letters.length === 1) {
        expect(letters[0]).toMatchObject({
          messageId: "m-1",
          deadLetterReason: "MaxDeliveryCountExceeded",
          deadLetterErrorDescription: "The message lock expired before it was settled",
        });
        break;
      }
      expect(await bus.receive("t", "s")).toEqual([]);
      await sleep(25);
    }
  });

  it("abandon releases the lock at once and records the error; complete removes the message", async () => {
    const bus = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s" }] }] });
    await bus.send("t", [{ messageId: "m-1", body: "x" }]);
    const first = await receiveOne(bus, "t", "s");
    expect(await bus.receive("t", "s")).toEqual([]);
    await bus.abandon(first, "boom");
    const second = await receiveOne(bus, "t", "s");
    expect(second).toMatchObject({ deliveryCount: 2, lastError: "boom" });
    await expect(bus.complete(first)).rejects.toThrow(/lock .* was lost/);
    await bus.complete(second);
    expect(await bus.counts("t", "s")).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
  });

  it("accepts a messageId again once the duplicate detection window has passed", async () => {
    const bus = await emulator({ topics: [{ name: "t", duplicateDetectionWindowMs: 200, subscriptions: [{ name: "s" }] }] });
    expect((await bus.send("t", [{ messageId: "same", body: 1 }]))[0]!.accepted).toBe(true);
    expect((await bus.send("t", [{ messageId: "same", body: 2 }]))[0]!.accepted).toBe(false);
    await sleep(250);
    expect((await bus.send("t", [{ messageId: "same", body: 3 }]))[0]!.accepted).toBe(true);
    expect((await bus.counts("t", "s")).active).toBe(2);
  });

  it("finishes a send too large for one transaction that a crash cut short, when it is retried: one copy per subscription, then a duplicate", async () => {
    const tablePrefix = prefix();
    // Forty copies of a 100 kB body: more than one entity-group transaction holds.
    const topology: Topology = { topics: [{ name: "t", subscriptions: Array.from({ length: 40 }, (_, i) => ({ name: `s${i}` })) }] };
    const body = { text: "x".repeat(100_000) };
    const proxy = await tableProxy(azuriteConnectionString());
    try {
      const crashed = await emulator(topology, tablePrefix, proxy.connectionString);
      proxy.arm(2, "drop-request");
      await expect(crashed.send("t", [{ messageId: "big", body }])).rejects.toThrow();
    } finally {
      await proxy.close();
    }
    const restarted = await emulator(topology, tablePrefix);
    const counted = async () => Promise.all([...Array(40).keys()].map(async (i) => (await restarted.counts("t", `s${i}`)).active));
    const partial = await counted();
    expect(partial.some((n) => n === 0) && partial.some((n) => n === 1)).toBe(true);
    const [retried] = await restarted.send("t", [{ messageId: "big", body }]);
    expect(retried!.accepted).toBe(true);
    expect(await counted()).toEqual(Array(40).fill(1));
    expect((await restarted.send("t", [{ messageId: "big", body }]))[0]!.accepted).toBe(false);
    const [copy] = await restarted.receive("t", "s39");
    expect(copy).toMatchObject({ messageId: "big", sequenceNumber: retried!.sequenceNumber, body });
  });

  it("rejects unknown topics, bad messages and oversized bodies with typed errors", async () => {
    const bus = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s" }] }] });
    await expect(bus.send("nope", [{ body: 1 }])).rejects.toMatchObject({ code: "UNKNOWN_TOPIC" });
    await expect(bus.send("t", [{ messageId: "", body: 1 }])).rejects.toMatchObject({ code: "INVALID_MESSAGE" });
    await expect(bus.send("t", [{ body: "x".repeat(300 * 1024) }])).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    await expect(bus.send("t", [{ body: 1, applicationProperties: { a: {} as never } }])).rejects.toMatchObject({ code: "INVALID_MESSAGE" });
    expect(await bus.counts("t", "s")).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
  });

  it("stores large bodies across several table properties", async () => {
    const bus = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s" }] }] });
    const body = { text: "é".repeat(100_000) };
    await bus.send("t", [{ messageId: "big", body }]);
    expect((await receiveOne(bus, "t", "s")).body).toEqual(body);
  });

  it("keeps renewing the lock of a long-running handler when auto-renewal is on", async () => {
    const bus = await emulator({ topics: [{ name: "t", subscriptions: [{ name: "s", lockDurationMs: 200 }] }] });
    const deliveries: number[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    bus.subscribe(
      "t",
      "s",
      async (messages) => {
        deliveries.push(...messages.map((m) => m.deliveryCount));
        await sleep(900); // several lock durations
        finished();
      },
      { maxAutoLockRenewalMs: 10_000 },
    );
    await bus.send("t", [{ messageId: "long", body: 1 }]);
    await done;
    for (;;) {
      const counts = await bus.counts("t", "s");
      if (counts.active === 0) break;
      await sleep(25);
    }
    expect(deliveries).toEqual([1]);
  });
});
