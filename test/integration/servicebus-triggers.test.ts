import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HostContext } from "../../devhost/component.js";
import { loadApp, type CapturedApp } from "../../devhost/loader.js";
import { serviceBusComponent, type ServiceBusHostComponent, type SubscriptionOptions } from "../../devhost/servicebus/index.js";
import { azuriteConnectionString } from "../support/storage.js";

const fixturePath = fileURLToPath(new URL("../fixtures/servicebus-app/index.js", import.meta.url));

interface Delivery {
  message: unknown;
  metadata: Record<string, unknown>;
  functionName: string;
}
interface Fixture {
  events: import("node:events").EventEmitter;
  releaseSlow: () => void;
  batchCalls: { inFlight: number; most: number };
  releaseBatches: () => void;
}

let app: CapturedApp;
let fixture: Fixture;
const running: ServiceBusHostComponent[] = [];

beforeAll(async () => {
  app = await loadApp([fixturePath]);
  fixture = (await import(fixturePath)) as Fixture;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** Starts the component with only `functionNames` bound, on topic "tasks" with the given subscriptions. */
async function start(
  functionNames: string[],
  subscriptions: SubscriptionOptions[],
  tablePrefix = `t${randomBytes(5).toString("hex")}`,
  options: { manyBatchSize?: number } = {},
) {
  const ctx: HostContext = {
    app: { ...app, functions: new Map([...app.functions].filter(([name]) => functionNames.includes(name))) },
    env: {},
    connectionString: azuriteConnectionString(),
    baseUrl: "http://127.0.0.1:0",
    mount: () => undefined,
    log: () => undefined,
  };
  const component = serviceBusComponent({
    tablePrefix,
    topology: { topics: [{ name: "tasks", subscriptions }] },
    ...options,
  });
  await component.start(ctx);
  running.push(component);
  return component;
}

/** Resolves with the deliveries to `name` once `count` of them have arrived. */
function deliveriesOf(name: string, count: number): Promise<Delivery[]> {
  return new Promise((resolve) => {
    const seen: Delivery[] = [];
    const listener = (fn: string, entry: Delivery) => {
      if (fn !== name) return;
      seen.push(entry);
      if (seen.length === count) {
        fixture.events.off("delivery", listener);
        resolve(seen);
      }
    };
    fixture.events.on("delivery", listener);
  });
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Service Bus trigger", () => {
  it("redelivers a failing message with an increasing delivery count until the handler succeeds", async () => {
    const component = await start(["flaky"], [{ name: "flaky" }]);
    const third = deliveriesOf("flaky", 3);
    await component.emulator.send("tasks", [
      { messageId: "f-1", body: { n: 1 }, subject: "TEST", correlationId: "c-1", applicationProperties: { step_type: "OCR" } },
    ]);
    const seen = await third;
    expect(seen.map((d) => d.metadata.deliveryCount)).toEqual([1, 2, 3]);
    expect(seen[2]!.message).toEqual({ n: 1 });
    expect(seen[2]!.functionName).toBe("flaky");
    expect(seen[2]!.metadata).toMatchObject({
      messageId: "f-1",
      correlationId: "c-1",
      subject: "TEST",
      label: "TEST",
      contentType: "application/json",
      applicationProperties: { step_type: "OCR" },
    });
    // Times come as the host sends them (json), and parse to ISO text; the extension gives no lock time.
    expect(typeof seen[2]!.metadata.enqueuedTimeUtc).toBe("string");
    expect(seen[2]!.metadata).not.toHaveProperty("lockedUntil");
    expect(typeof seen[2]!.metadata.sequenceNumber).toBe("number");
    const counts = await until(
      () => component.emulator.counts("tasks", "flaky"),
      (c) => c.active === 0,
    );
    expect(counts).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
  });

  it("dead-letters a message that always fails after maxDeliveryCount deliveries, with the last error", async () => {
    const component = await start(["poison"], [{ name: "poison", maxDeliveryCount: 4 }]);
    const all = deliveriesOf("poison", 4);
    await component.emulator.send("tasks", [{ messageId: "p-1", body: "bad" }]);
    expect((await all).map((d) => d.metadata.deliveryCount)).toEqual([1, 2, 3, 4]);
    const [letter] = await until(
      () => component.emulator.deadLetters("tasks", "poison"),
      (l) => l.length === 1,
    );
    expect(letter).toMatchObject({
      messageId: "p-1",
      body: "bad",
      deliveryCount: 4,
      deadLetterReason: "MaxDeliveryCountExceeded",
      deadLetterErrorDescription: "poison pill",
    });
    expect(await component.emulator.counts("tasks", "poison")).toEqual({ active: 0, scheduled: 0, deadLettered: 1 });
  });

  it("drops a second send of the same messageId and delivers the first once", async () => {
    const component = await start(["recorder"], [{ name: "record" }]);
    const delivered = deliveriesOf("recorder", 2);
    const first = await component.emulator.send("tasks", [{ messageId: "dup-1", body: { copy: 1 } }]);
    const second = await component.emulator.send("tasks", [
      { messageId: "dup-1", body: { copy: 2 } },
      { messageId: "dup-2", body: { copy: 3 } },
    ]);
    expect(first[0]!.accepted).toBe(true);
    expect(second.map((o) => o.accepted)).toEqual([false, true]);
    // dup-2 is sent after dup-1 and delivered in order, so once it arrives dup-1 had its only chance.
    const seen = await delivered;
    expect(seen.map((d) => d.message)).toEqual([{ copy: 1 }, { copy: 3 }]);
  });

  it("delivers to a filtered subscription only the messages its SQL filter matches", async () => {
    const component = await start(["filtered", "recorder"], [{ name: "red-or-urgent", filter: "color = 'red' OR sys.Label = 'urgent'" }, { name: "record" }]);
    const everything = deliveriesOf("recorder", 4);
    const filtered = deliveriesOf("filtered", 2);
    const outcomes = await component.emulator.send("tasks", [
      { messageId: "c-blue", body: "blue", applicationProperties: { color: "blue" } },
      { messageId: "c-red", body: "red", applicationProperties: { color: "red" } },
      { messageId: "c-none", body: "none" },
      { messageId: "c-urgent", body: "urgent", subject: "urgent" },
    ]);
    expect(outcomes.map((o) => o.subscriptions)).toEqual([["record"], ["red-or-urgent", "record"], ["record"], ["red-or-urgent", "record"]]);
    await everything;
    expect((await filtered).map((d) => d.message).sort()).toEqual(["red", "urgent"]);
  });

  it("keeps a scheduled message invisible until its time", async () => {
    const component = await start(["recorder"], [{ name: "record" }]);
    const at = new Date(Date.now() + 1500);
    const delivered = deliveriesOf("recorder", 1);
    await component.emulator.send("tasks", [{ messageId: "s-1", body: "later", scheduledEnqueueTimeUtc: at }]);
    expect(await component.emulator.counts("tasks", "record")).toMatchObject({ scheduled: 1, active: 0 });
    const [delivery] = await delivered;
    const deliveredAt = Date.now();
    expect(deliveredAt).toBeGreaterThanOrEqual(at.getTime());
    expect(delivery!.metadata.enqueuedTimeUtc).toBe(at.toISOString());
  });

  it("redelivers a message whose lock expired while its handler was still running", async () => {
    const component = await start(["slow"], [{ name: "slow", lockDurationMs: 500 }]);
    const two = deliveriesOf("slow", 2);
    await component.emulator.send("tasks", [{ messageId: "l-1", body: "slow" }]);
    const seen = await two;
    expect(seen.map((d) => d.metadata.deliveryCount)).toEqual([1, 2]);
    expect(seen[1]!.metadata.lockToken).not.toBe(seen[0]!.metadata.lockToken);
    fixture.releaseSlow();
    const counts = await until(
      () => component.emulator.counts("tasks", "slow"),
      (c) => c.active === 0,
    );
    expect(counts.deadLettered).toBe(0);
  });

  it("keeps accepted messages across a restart and hands them to a cardinality many function as one array", async () => {
    const prefix = `t${randomBytes(5).toString("hex")}`;
    const before = await start([], [{ name: "batch" }], prefix);
    await before.emulator.send(
      "tasks",
      [1, 2, 3].map((n) => ({ messageId: `b-${n}`, body: n, ...(n === 2 ? { correlationId: "7" } : {}) })),
    );
    await before.stop();
    running.splice(running.indexOf(before), 1);

    const delivered = deliveriesOf("batch", 1);
    const after = await start(["batch"], [{ name: "batch" }], prefix);
    const [first] = await delivered;
    expect(first!.message).toEqual([1, 2, 3]);
    expect(first!.metadata.messageIdArray).toEqual(["b-1", "b-2", "b-3"]);
    expect(first!.metadata.deliveryCountArray).toEqual([1, 1, 1]);
    // As the host sends a string[] (collectionString): no null entries, and each entry tried as JSON.
    expect(first!.metadata.correlationIdArray).toEqual([7]);
    const counts = await until(
      () => after.emulator.counts("tasks", "batch"),
      (c) => c.active === 0,
    );
    expect(counts.deadLettered).toBe(0);
  });

  it("runs a cardinality many function one batch at a time, as the extension's batch receive loop does", async () => {
    const bus = await start(["heldBatch"], [{ name: "held-batch" }], undefined, { manyBatchSize: 2 });
    const batches: number[][] = [];
    const listener = (fn: string, entry: Delivery) => void (fn === "heldBatch" && batches.push(entry.message as number[]));
    fixture.events.on("delivery", listener);
    try {
      await bus.emulator.send(
        "tasks",
        [1, 2, 3, 4, 5, 6].map((n) => ({ messageId: `h-${n}`, body: n })),
      );
      await until(
        async () => batches.length,
        (calls) => calls > 0,
      );
      // Six messages wait, two to a batch: a second call would start now if batches ran side by side.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fixture.batchCalls.most).toBe(1);
      expect(batches).toHaveLength(1);
      fixture.releaseBatches();
      await until(
        async () => batches.flat().length,
        (delivered) => delivered === 6,
      );
      // What a receive returns depends on what had arrived; each batch is in order, and none is larger than the size.
      expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6]);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(2);
      expect(fixture.batchCalls.most).toBe(1);
    } finally {
      fixture.events.off("delivery", listener);
    }
  });

  it("hands an sdkBinding function modelBindingData, which the library turns into messages and actions that settle over gRPC", async () => {
    const component = await start(["settling"], [{ name: "settling" }]);
    const all = deliveriesOf("settling", 4);
    await component.emulator.send("tasks", [
      { messageId: "ok-1", body: { reject: false } },
      { messageId: "bad-1", body: { reject: true } },
      { messageId: "again-1", body: { abandonFirst: true } },
    ]);
    const seen = await all;
    const messages = seen.map((d) => d.message as { messageId: string; lockToken: string; deliveryCount: number; body: unknown; _rawAmqpMessage?: unknown });
    expect(messages.map((m) => m.messageId).sort()).toEqual(["again-1", "again-1", "bad-1", "ok-1"]);
    // Built by @azure/functions-extensions-servicebus from the AMQP bytes: the raw message rides along,
    // and deliveryCount is the AMQP header's count of earlier deliveries.
    expect(messages.every((m) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(m.lockToken) && m._rawAmqpMessage !== undefined)).toBe(
      true,
    );
    expect(messages.filter((m) => m.messageId === "again-1").map((m) => m.deliveryCount)).toEqual([0, 1]);
    expect(messages.find((m) => m.messageId === "ok-1")).toMatchObject({ deliveryCount: 0, body: { reject: false } });
    const [letter] = await until(
      () => component.emulator.deadLetters("tasks", "settling"),
      (l) => l.length === 1,
    );
    expect(letter).toMatchObject({ messageId: "bad-1", deadLetterReason: "InvalidReply", deadLetterErrorDescription: "reject was set", deliveryCount: 1 });
    expect(
      await until(
        () => component.emulator.counts("tasks", "settling"),
        (c) => c.active === 0,
      ),
    ).toEqual({ active: 0, scheduled: 0, deadLettered: 1 });
  });
});
