import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceBusError } from "@azure/service-bus";
import { toBusError } from "../../lib/bus/service-bus-errors.js";
import { DevhostBusSender } from "../../lib/bus/devhost-sender.js";
import { BusErrorCode, createBusSender } from "../../lib/bus/index.js";
import { ConfigurationError, loadSettings } from "../../lib/config/settings.js";

describe("toBusError (Service Bus SDK errors)", () => {
  const cases: Array<[string, string, boolean]> = [
    ["ServiceBusy", BusErrorCode.throttled, true],
    ["ServiceTimeout", BusErrorCode.unavailable, true],
    ["ServiceCommunicationProblem", BusErrorCode.unavailable, true],
    ["MessagingEntityNotFound", BusErrorCode.unknownTopic, false],
    ["MessageSizeExceeded", BusErrorCode.messageTooLarge, false],
    ["UnauthorizedAccess", BusErrorCode.unauthorized, false],
  ];
  it.each(cases)("maps %s to %s (retryable %s)", (sbCode, code, retryable) => {
    const error = toBusError(new ServiceBusError("boom", sbCode as ServiceBusError["code"]), "directives");
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  it("treats socket errors as retryable and anything else as a bad request", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(toBusError(reset, "t").retryable).toBe(true);
    expect(toBusError(new TypeError("nope"), "t").code).toBe(BusErrorCode.badRequest);
  });
});

describe("DevhostBusSender HTTP status mapping", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(/status-(\d+)/.exec(req.url ?? "")?.[1] ?? 500);
      if (status === 429) res.setHeader("retry-after", "2");
      res.writeHead(status, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ title: "t", detail: `said ${status}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: Array<[number, string, boolean]> = [
    [429, BusErrorCode.throttled, true],
    [503, BusErrorCode.unavailable, true],
    [404, BusErrorCode.unknownTopic, false],
    [413, BusErrorCode.messageTooLarge, false],
    [400, BusErrorCode.badRequest, false],
  ];
  it.each(cases)("HTTP %i → %s (retryable %s)", async (status, code, retryable) => {
    const sender = new DevhostBusSender(url);
    const failure = await sender.send(`status-${status}`, [{ messageId: "m", body: {} }]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code, retryable });
    expect((failure as Error).message).toContain(`said ${status}`);
    if (status === 429) expect(failure).toMatchObject({ retryAfterMs: 2000 });
  });

  it("reports an unreachable devhost as retryable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await new DevhostBusSender(`http://127.0.0.1:${port}`).send("directives", [{ messageId: "m", body: {} }]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: BusErrorCode.unavailable, retryable: true });
  });
});

describe("createBusSender", () => {
  const storage = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
  it("needs a Service Bus connection in servicebus mode", () => {
    expect(() => createBusSender(loadSettings(storage), storage)).toThrow(ConfigurationError);
  });
  it("picks the devhost sender in devhost mode", () => {
    const env = { ...storage, LUCIUS_BUS_MODE: "devhost", LUCIUS_DEVHOST_URL: "http://127.0.0.1:1" };
    expect(createBusSender(loadSettings(env), env)).toBeInstanceOf(DevhostBusSender);
  });
});
