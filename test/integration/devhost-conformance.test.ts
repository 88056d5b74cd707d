// devhost against the worker protocol: each fixture in test/fixtures/invocations/ is an
// invocation request in the shapes the Functions host sends (FunctionRpc.proto's RpcHttp and
// typed data, the Durable extension's trigger JSON strings, the host's TimerInfo JSON, the
// Service Bus extension's modelBindingData). For each, devhost's own path (the code that serves
// the trigger) must send exactly that request to the app's programming model, and the request run
// through the library's invocation model directly, with no devhost code, must give the handler
// the same arguments and the host the same response as devhost's run.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostContext } from "../../devhost/component.js";
import { durableClientBinding, durableClientInputData } from "../../devhost/durable/client-binding.js";
import type { HistoryEvent } from "../../devhost/durable/history.js";
import { replay } from "../../devhost/durable/replay.js";
import { durableInvoker } from "../../devhost/durable/worker-runs.js";
import { invokeHttp } from "../../devhost/http/invoke-http.js";
import { RouteTemplate } from "../../devhost/http/route-template.js";
import { loadApp, type CapturedApp, type CapturedFunction, type CoreInvocation, type ProgrammingModel } from "../../devhost/loader.js";
import { createLogger } from "../../devhost/log.js";
import type { LockedMessage } from "../../devhost/servicebus/message.js";
import type { Settler } from "../../devhost/servicebus/settler.js";
import { acquireSettlementService, releaseSettlementService } from "../../devhost/servicebus/settlement-service.js";
import { invokeServiceBusFunction } from "../../devhost/servicebus/trigger.js";
import { invokeTimerFunction } from "../../devhost/timer/timer-component.js";
import type { TimerInfo } from "../../devhost/timer/timer-runner.js";

const fixtureDir = fileURLToPath(new URL("../fixtures/invocations/", import.meta.url));
/**
 * `LUCIUS_INVOCATION_FIXTURES=write` records `seen`, `response` and `devhostAnswer` from a run (after checking
 * that devhost and the library agree); `via` and `request`, the worker-protocol shapes, are written by hand.
 */
const writing = process.env.LUCIUS_INVOCATION_FIXTURES === "write";
const baseUrl = "http://localhost:7071";
const clientBinding = durableClientBinding(baseUrl, "conformance", "conformance-key");

type Via =
  | { kind: "http"; method: string; path: string; headers: Record<string, string>; body?: string; params: Record<string, string> }
  | { kind: "orchestration"; instanceId: string; input?: string; history: HistoryEvent[] }
  | { kind: "activity"; input?: string }
  | { kind: "timer"; timer: TimerInfo }
  | {
      kind: "serviceBus";
      message: Omit<LockedMessage, "enqueuedTimeUtc" | "lockedUntil" | "visibleAt" | "etag"> & { enqueuedTimeUtc: string; lockedUntil: string };
    };

interface Fixture {
  /** What the case shows. */
  about: string;
  function: string;
  via: Via;
  /** The invocation request as the host sends it; `$trigger` and `$durableClient` stand for the function's binding names. */
  request: { inputData: Array<{ name: string; data?: unknown }>; triggerMetadata?: Record<string, unknown> };
  /** What the handler received, as it recorded it. */
  seen?: unknown;
  /** `getResponse`'s result without its invocation id, or the error the invocation failed with. */
  response: unknown;
  /** What devhost did with the response: the HTTP answer it wrote, the replay outcome, the activity result. */
  devhostAnswer?: unknown;
}

const fixtures = readdirSync(fixtureDir)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({ file, fixture: JSON.parse(readFileSync(join(fixtureDir, file), "utf8")) as Fixture }));

/** JSON-comparable form: bytes as `{ $base64 }`, undefined fields dropped. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}
/** The inverse of {@link plain}, with the binding-name placeholders resolved for `fn`. */
function revive(value: unknown, fn: CapturedFunction): unknown {
  if (Array.isArray(value)) return value.map((v) => revive(v, fn));
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.$base64 === "string" && Object.keys(record).length === 1) return Buffer.from(record.$base64, "base64");
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, k === "name" ? bindingName(v, fn) : revive(v, fn)]));
  }
  return value;
}
function bindingName(value: unknown, fn: CapturedFunction): unknown {
  if (value === "$trigger") return fn.trigger.name;
  if (value === "$durableClient") return Object.entries(fn.bindings).find(([, b]) => b.type === "durableClient")?.[0];
  return value;
}
/** A recorded request with the function's binding names put back as placeholders, as fixtures write them. */
function asFixtureRequest(request: CoreInvocation["request"], fn: CapturedFunction): unknown {
  const { invocationId: _id, functionId: _fn, ...rest } = request;
  const names = new Map<string, string>([[fn.trigger.name, "$trigger"]]);
  for (const [name, b] of Object.entries(fn.bindings)) if (b.type === "durableClient") names.set(name, "$durableClient");
  return plain({ ...rest, inputData: rest.inputData.map((entry) => ({ ...entry, name: names.get(entry.name) ?? entry.name })) });
}
function withoutId(response: unknown): unknown {
  const { invocationId: _id, ...rest } = response as { invocationId: string };
  return plain(rest);
}

let app: CapturedApp;
let seen: Map<string, unknown>;
let server: Server;
let port = 0;
const calls: Array<{ request: CoreInvocation["request"]; response?: unknown; error?: string }> = [];

/** The app's programming model, recording what devhost sends it and what it answers. */
function recordingModel(model: ProgrammingModel): ProgrammingModel {
  return {
    name: model.name,
    version: model.version,
    getInvocationModel(core) {
      const call: (typeof calls)[number] = { request: structuredClone(core.request) };
      calls.push(call);
      const inner = model.getInvocationModel(core);
      return {
        getArguments: () => inner.getArguments(),
        invokeFunction: (context, inputs, handler) => inner.invokeFunction(context, inputs, handler),
        async getResponse(context, result) {
          try {
            const response = await inner.getResponse(context, result);
            call.response = withoutId(response);
            return response;
          } catch (error) {
            call.error = (error as Error).message;
            throw error;
          }
        },
      };
    },
  };
}

const log = createLogger("silent");
const inputData = durableClientInputData(clientBinding);

beforeAll(async () => {
  const loaded = await loadApp([join(fixtureDir, "app.js")]);
  app = { ...loaded, model: recordingModel(loaded.model!) };
  seen = ((await import(join(fixtureDir, "app.js"))) as { seen: Map<string, unknown> }).seen;
  // The extension's message factory reads the Settlement service's address, as under the host.
  await acquireSettlementService();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const { fn, params } = JSON.parse(String(req.headers["x-conformance"])) as { fn: string; params: Record<string, string> };
      const route = { fn: app.functions.get(fn)!, template: new RouteTemplate(fn) };
      delete req.headers["x-conformance"];
      void invokeHttp({ app, log, inputData, baseUrl }, route, params, req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await releaseSettlementService();
  if (writing) {
    for (const { file, fixture } of fixtures) writeFileSync(join(fixtureDir, file), JSON.stringify(fixture, null, 2) + "\n");
  }
});

function send(via: Extract<Via, { kind: "http" }>, fn: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = via.body === undefined ? undefined : Buffer.from(via.body);
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: via.method,
        path: via.path,
        agent: false,
        // The Host header as the fixture's URL has it, so the request devhost builds does not depend on this test's port.
        headers: {
          host: "localhost:7071",
          ...via.headers,
          ...(body ? { "content-length": String(body.length) } : {}),
          "x-conformance": JSON.stringify({ fn, params: via.params }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs the fixture's trigger through devhost's own path for that trigger kind. */
async function throughDevhost(fn: CapturedFunction, via: Via): Promise<{ answer?: unknown }> {
  const ctx: HostContext = { app, env: {}, connectionString: "", baseUrl, mount: () => undefined, log: () => undefined, inputData };
  switch (via.kind) {
    case "http": {
      const answer = await send(via, fn.name);
      return { answer: { status: answer.status, setCookie: answer.headers["set-cookie"], body: answer.body } };
    }
    case "orchestration": {
      const invoker = durableInvoker(app, inputData, () => () => undefined);
      const outcome = await replay(invoker.orchestrator(fn), via.instanceId, via.history, via.input, undefined);
      return { answer: { status: outcome.status, openTasks: outcome.openTasks } };
    }
    case "activity":
      return { answer: await durableInvoker(app, inputData, () => () => undefined).activity(fn, via.input) };
    case "timer":
      await invokeTimerFunction(ctx, fn, via.timer);
      return {};
    case "serviceBus": {
      const message: LockedMessage = {
        ...via.message,
        enqueuedTimeUtc: new Date(via.message.enqueuedTimeUtc),
        lockedUntil: new Date(via.message.lockedUntil),
        visibleAt: new Date(via.message.lockedUntil),
      };
      const sdk = (fn.trigger.binding as { sdkBinding?: boolean }).sdkBinding === true;
      const settler = {} as Settler; // the handlers here settle nothing
      await invokeServiceBusFunction(fn, ctx, [message], false, sdk ? settler : undefined);
      return {};
    }
  }
}

/** The fixture's request through the library's invocation model alone, as a bare worker would run it. */
async function throughLibrary(fn: CapturedFunction, request: Fixture["request"]): Promise<unknown> {
  const core: CoreInvocation = {
    invocationId: "conformance",
    metadata: { name: fn.name, bindings: fn.bindings },
    request: { invocationId: "conformance", functionId: fn.name, triggerMetadata: {}, ...(revive(request, fn) as Fixture["request"]) },
    state: "invocation",
    log: () => undefined,
  };
  const invocation = app.model!.getInvocationModel(core);
  try {
    const { context, inputs } = await invocation.getArguments();
    const result = await invocation.invokeFunction(context, inputs, fn.handler);
    return withoutId(await invocation.getResponse(context, result));
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    calls.pop(); // the recording model saw this run too; only devhost's runs are compared with the fixture's request
  }
}

describe.each(fixtures)("the invocation $file", ({ fixture }) => {
  it("is sent by devhost as the host sends it, and gives devhost and the library the same arguments and response", async () => {
    const fn = app.functions.get(fixture.function);
    expect(fn, `fixture names function ${fixture.function}`).toBeDefined();

    calls.length = 0;
    seen.delete(fn!.name);
    const devhost = await throughDevhost(fn!, fixture.via);
    expect(calls, "devhost invoked the function once through the programming model").toHaveLength(1);
    const call = calls[0]!;
    expect(asFixtureRequest(call.request, fn!)).toEqual(plain(fixture.request));
    const devhostSeen = plain(seen.get(fn!.name));
    const devhostResponse = call.error !== undefined ? { error: call.error } : call.response;

    seen.delete(fn!.name);
    const libraryResponse = await throughLibrary(fn!, fixture.request);
    const librarySeen = plain(seen.get(fn!.name));

    expect(devhostResponse).toEqual(libraryResponse);
    expect(devhostSeen).toEqual(librarySeen);
    if (writing) {
      fixture.seen = librarySeen;
      fixture.response = libraryResponse;
      fixture.devhostAnswer = plain(devhost.answer);
      return;
    }
    expect(libraryResponse).toEqual(fixture.response);
    expect(librarySeen).toEqual(fixture.seen);
    expect(plain(devhost.answer)).toEqual(fixture.devhostAnswer);
  });
});
