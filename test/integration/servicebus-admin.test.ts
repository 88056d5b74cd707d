import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostContext } from "../../devhost/component.js";
import { loadApp } from "../../devhost/loader.js";
import { defaultTopology, serviceBusComponent, type ServiceBusHostComponent } from "../../devhost/servicebus/index.js";
import { BusUnknownTopicError, createBusSender, directiveMessage, type BusSender } from "../../lib/bus/index.js";
import { loadSettings } from "../../lib/config/settings.js";
import type { Directive } from "../../lib/contracts/types.gen.js";
import { azuriteConnectionString } from "../support/storage.js";

const fixturePath = fileURLToPath(new URL("../fixtures/servicebus-app/index.js", import.meta.url));
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
interface Delivery {
  message: unknown;
  metadata: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
let component: ServiceBusHostComponent;
let sender: BusSender;
let events: import("node:events").EventEmitter;
const admin = () => `${baseUrl}/_devhost/servicebus`;

beforeAll(async () => {
  const app = await loadApp([fixturePath]);
  events = ((await import(fixturePath)) as { events: typeof events }).events;
  const mounts: Array<[string, Handler]> = [];
  server = createServer((req, res) => {
    const mount = mounts.find(([prefix]) => req.url?.startsWith(prefix));
    if (!mount) return void res.writeHead(404).end();
    void mount[1](req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx: HostContext = {
    app: { ...app, functions: new Map([...app.functions].filter(([name]) => ["recorder", "poison"].includes(name))) },
    env: {},
    connectionString: azuriteConnectionString(),
    baseUrl,
    mount: (prefix, handler) => void mounts.push([prefix, handler]),
    log: () => undefined,
  };
  component = serviceBusComponent({
    tablePrefix: `t${randomBytes(5).toString("hex")}`,
    topology: {
      topics: [
        ...defaultTopology().topics,
        {
          name: "tasks",
          subscriptions: [
            { name: "record", filter: "NOT EXISTS(kind)" },
            { name: "poison", filter: "kind = 'poison'", maxDeliveryCount: 2 },
          ],
        },
      ],
    },
  });
  await component.start(ctx);
  const env = { AzureWebJobsStorage: azuriteConnectionString(), LUCIUS_BUS_MODE: "devhost", LUCIUS_DEVHOST_URL: baseUrl };
  sender = createBusSender(loadSettings(env), env);
});

afterAll(async () => {
  await sender?.close();
  await component?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function nextDelivery(name: string): Promise<Delivery> {
  return new Promise((resolve) => {
    const listener = (fn: string, entry: Delivery) => {
      if (fn !== name) return;
      events.off("delivery", listener);
      resolve(entry);
    };
    events.on("delivery", listener);
  });
}

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${admin()}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function untilCounts(path: string, done: (counts: Record<string, number>) => boolean): Promise<Record<string, number>> {
  for (;;) {
    const { body } = await getJson(path);
    const counts = body.counts as Record<string, number>;
    if (done(counts)) return counts;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const directive: Directive = {
  type: "DIRECTIVE",
  job_id: "job-7",
  tenant_id: "acme",
  step_id: "ocr",
  step_type: "OCR",
  protocol_id: "atomic-ocr.v1",
  attempt_no: 1,
  lease_id: "0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b",
  lease_expires_at: "2030-01-01T00:00:00Z",
  input_ref: "https://example.test/in.pdf",
  workspace_ref: "https://example.test/ws/",
  output_ref: "https://example.test/out/",
  payload: {},
  mode: "DEFAULT",
  lane: 5,
  routing_key_used: "acme",
};

describe("devhost BusSender through the admin API", () => {
  it("delivers a message to a topic trigger with its properties", async () => {
    const delivered = nextDelivery("recorder");
    await sender.send("tasks", [{ ...directiveMessage(directive), messageId: "via-http-1" }]);
    const { message, metadata } = await delivered;
    expect(message).toEqual(directive);
    expect(metadata).toMatchObject({
      messageId: "via-http-1",
      subject: "DIRECTIVE",
      correlationId: "job-7",
      deliveryCount: 1,
      applicationProperties: { step_type: "OCR", tenant_id: "acme", lane: 5 },
    });
  });

  it("routes directives by step_type to the worker subscriptions of the default topology", async () => {
    await sender.send("directives", [directiveMessage(directive), directiveMessage({ ...directive, step_id: "sis", step_type: "SIS" })]);
    const ocr = await getJson("/topics/directives/subscriptions/platform-ocr");
    const embedding = await getJson("/topics/directives/subscriptions/platform-embedding");
    const sis = await getJson("/topics/directives/subscriptions/platform-sis");
    expect(ocr.body).toMatchObject({ filter: "step_type = 'OCR'", counts: { active: 1, scheduled: 0, deadLettered: 0 } });
    expect(embedding.body).toMatchObject({ counts: { active: 0 } });
    expect(sis.body).toMatchObject({ counts: { active: 1 } });
  });

  it("counts a scheduled message as scheduled", async () => {
    const at = new Date(Date.now() + 60 * 60_000);
    await sender.send("directives", [{ ...directiveMessage({ ...directive, step_id: "embedding", step_type: "EMBEDDING" }), scheduledEnqueueTimeUtc: at }]);
    const { body } = await getJson("/topics/directives/subscriptions/platform-embedding");
    expect(body.counts).toEqual({ active: 0, scheduled: 1, deadLettered: 0 });
  });

  it("answers an unknown topic with 404, which the sender reports as a non-retryable BusUnknownTopicError", async () => {
    const failure = await sender.send("nope", [{ messageId: "x", body: {} }]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BusUnknownTopicError);
    expect((failure as BusUnknownTopicError).retryable).toBe(false);
    const raw = await fetch(`${admin()}/topics/nope/messages`, { method: "POST", body: "{}" });
    expect(raw.status).toBe(404);
    expect(raw.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers a malformed send with 400 problem+json", async () => {
    for (const body of ["not json", "{}", JSON.stringify({ messages: [{ messageId: 5, body: 1 }] })]) {
      const { status, body: problem } = await getJson("/topics/tasks/messages", { method: "POST", body });
      expect(status).toBe(400);
      expect(problem).toMatchObject({ status: 400 });
    }
  });

  it("lists, shows, replays and purges dead letters", async () => {
    const subPath = "/topics/tasks/subscriptions/poison";
    await sender.send("tasks", [{ messageId: "dlq-1", body: { n: 1 }, applicationProperties: { kind: "poison" } }]);
    await untilCounts(subPath, (c) => c.deadLettered === 1);

    const list = await getJson(`${subPath}/deadletters`);
    const items = list.body.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      messageId: "dlq-1",
      deadLetterReason: "MaxDeliveryCountExceeded",
      deadLetterErrorDescription: "poison pill",
      deliveryCount: 2,
    });
    const sequenceNumber = items[0]!.sequenceNumber as number;
    expect((await getJson(`${subPath}/deadletters/${sequenceNumber}`)).body).toMatchObject({ messageId: "dlq-1" });

    const redelivered = nextDelivery("poison");
    const replay = await getJson(`${subPath}/deadletters/${sequenceNumber}/replay`, { method: "POST" });
    expect(replay.status).toBe(200);
    expect((await redelivered).metadata.deliveryCount).toBe(1);
    await untilCounts(subPath, (c) => c.deadLettered === 1 && c.active === 0);

    const purge = await getJson(`${subPath}/deadletters`, { method: "DELETE" });
    expect(purge.body).toEqual({ purged: 1 });
    expect((await getJson(subPath)).body.counts).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
    expect((await getJson(`${subPath}/deadletters/${sequenceNumber}/replay`, { method: "POST" })).status).toBe(404);
  });
});
