import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { InvocationContext } from "@azure/functions";
import type { ServiceBusMessageContext } from "@azure/functions-extensions-servicebus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostContext } from "../../devhost/component.js";
import { installCoreShim, type CapturedBinding, type CapturedFunction } from "../../devhost/loader.js";
import { invokeSdkBound } from "../../devhost/servicebus/sdk-binding.js";
import type { Receiver } from "../../devhost/servicebus/index.js";
import type { CancelMessage, HeartbeatReply, ResultReply } from "../../lib/contracts/index.js";
import { directiveHandler, markerUri, workerEvents, workerServices, type DeliveryEvent, type StepWorker } from "../../workers/runtime/index.js";
import { repliesOf, resultOf, startWorkersHost, testStepType, workersTenant, type WorkersHost } from "./workers-harness.js";

/** Stands in for a remote document server; it counts every request it receives. */
let server: Server;
let port: number;
let requests = 0;
let w: WorkersHost;
let receiver: Receiver;

/** A worker whose work lasts until it is cancelled, so CANCEL and duplicates can be tested without racing a timer. */
let runs = 0;
let abortedRuns = 0;
const blockingWorker: StepWorker<Record<string, unknown>> = {
  name: "blockingWorker",
  stepType: testStepType,
  subscription: "platform-test",
  payloadSchemaId: "https://lucius.dev/contracts/steps/sis.v1.schema.json",
  async run({ signal, progress }) {
    runs++;
    progress(0.5, { phase: "waiting for CANCEL" });
    await new Promise((_, reject) =>
      signal.addEventListener(
        "abort",
        () => {
          abortedRuns++;
          reject(signal.reason);
        },
        { once: true },
      ),
    );
    throw new Error("unreachable");
  },
};

beforeAll(async () => {
  server = createServer((_req, res) => res.end("PNG?"));
  server.on("request", () => requests++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  w = await startWorkersHost({ LUCIUS_INPUT_ALLOWLIST: `https://localhost:${port}/docs/` });
  const handle = directiveHandler(blockingWorker, { services: () => workerServices() });
  // Invoked as devhost invokes the workers: through the app's programming model, as modelBindingData.
  const binding: CapturedBinding = { type: "serviceBusTrigger", direction: "in", properties: { supportsDeferredBinding: "true" } };
  const fn: CapturedFunction = {
    name: blockingWorker.name,
    bindings: { message: binding },
    handler: (batch, context) => handle(batch as ServiceBusMessageContext, context as InvocationContext),
    trigger: { name: "message", binding },
  };
  const ctx = { app: installCoreShim(), log: () => undefined } as unknown as HostContext;
  receiver = w.emulator.subscribe("directives", "platform-test", (messages, settler) => invokeSdkBound(fn, ctx, messages, false, settler));
});
afterAll(async () => {
  await receiver?.close();
  await w?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const delivery = (match: (e: DeliveryEvent) => boolean) =>
  new Promise<DeliveryEvent>((resolve) => {
    const listener = (e: DeliveryEvent) => {
      if (!match(e)) return;
      workerEvents.off("delivery", listener);
      resolve(e);
    };
    workerEvents.on("delivery", listener);
  });

describe("inputs outside the storage account", () => {
  it("fails NON_RETRYABLE without a single request for refs off the allowlist, on loopback, or file:", async () => {
    const refs = [
      `https://127.0.0.1:${port}/docs/invoice.png`, // an IP literal on loopback, and off the allowlist
      `https://localhost:${port}/docs/invoice.png`, // on the allowlist, but it resolves to loopback
      `https://localhost:${port}/private/invoice.png`, // same host, path off the allowlist
      `http://localhost:${port}/docs/invoice.png`, // not https
      "file:///etc/passwd",
    ];
    const directives = refs.map((input_ref) => w.directive({ step_type: "OCR", step_id: "ocr", input_ref }));
    for (const d of directives) await w.send(d);
    const results = (await Promise.all(directives.map((d) => w.reply(resultOf(d))))) as ResultReply[];
    expect(results.map((r) => [r.status, r.failure_class, r.error?.code])).toEqual([
      ["FAILED", "NON_RETRYABLE", "INPUT_NOT_ALLOWED"],
      ["FAILED", "NON_RETRYABLE", "INPUT_NOT_ALLOWED"],
      ["FAILED", "NON_RETRYABLE", "INPUT_NOT_ALLOWED"],
      ["FAILED", "NON_RETRYABLE", "INPUT_NOT_ALLOWED"],
      ["FAILED", "NON_RETRYABLE", "INVALID_REF"],
    ]);
    expect(results[1]!.error?.message).toContain("non-public address");
    expect(requests).toBe(0);
  });
});

describe("an attempt in progress", () => {
  it("heartbeats with an increasing sequence, is not started twice, and stops on CANCEL with nothing more sent", async () => {
    const d = w.directive({ step_type: testStepType, step_id: "test", input_ref: `${w.accountUrl}/inputs/${workersTenant}/unused`, lease_ms: 900 });
    const started = delivery((e) => e.job_id === d.job_id && e.outcome === "started");
    await w.send(d);
    await started;
    await w.reply((r) => r.type === "HEARTBEAT" && r.job_id === d.job_id && (r as HeartbeatReply).sequence === 2);

    const duplicate = delivery((e) => e.job_id === d.job_id && e.outcome === "duplicate");
    await w.send(d, `${d.job_id}:test:1:DIRECTIVE:again`);
    await duplicate;
    expect(runs).toBe(1);

    const cancelled = delivery((e) => e.job_id === d.job_id && e.outcome === "cancelled");
    const { payload: _payload, ...rest } = d;
    const cancel: CancelMessage = { ...rest, type: "CANCEL" };
    await w.send(cancel);
    await cancelled;
    expect(abortedRuns).toBe(1);
    await w.drainReplies();

    const replies = repliesOf(w.replies, d);
    expect(replies[0]!.type).toBe("ACK");
    expect(replies.filter((r) => r.type === "ACK")).toHaveLength(1);
    expect(replies.some((r) => r.type === "RESULT")).toBe(false);
    const beats = replies.filter((r): r is HeartbeatReply => r.type === "HEARTBEAT");
    expect(beats.map((b) => b.sequence)).toEqual(beats.map((_, i) => i + 1));
    expect(beats[0]).toMatchObject({ progress: 0.5, details: { phase: "waiting for CANCEL" }, lease_id: d.lease_id });
    expect(
      await w.blobs
        .getContainerClient("workspaces")
        .getBlobClient(new URL(markerUri(d)).pathname.split("/workspaces/")[1]!)
        .exists(),
    ).toBe(false);

    // The cancelled attempt is remembered: a late redelivery does not start it again.
    const late = delivery((e) => e.job_id === d.job_id && e.outcome === "duplicate");
    await w.send(d, `${d.job_id}:test:1:DIRECTIVE:late`);
    await late;
    expect(runs).toBe(1);
  });
});
