import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { Settler } from "./settler.js";

/**
 * The Settlement gRPC service the Functions host serves to the Node worker for SDK-bound Service
 * Bus triggers: `@azure/functions-extensions-servicebus`'s `actions` call it with the message's
 * lock token, and the host settles the message it delivered. devhost serves it from the
 * extension's own `settlement.proto` and settles through the invocation's {@link Settler}.
 *
 * One server per process: the extension builds its settlement client once per process, from
 * the worker's command line (`--host`, `--port`, `--functions-grpc-max-message-length`), which
 * {@link acquireSettlementService} sets as the real host starts the worker. A restart reuses the
 * port the extension already points at. Defer and the session operations answer UNIMPLEMENTED:
 * devhost emulates neither.
 */
const settlers = new Map<string, Settler>();
let server: { grpc: grpc.Server; port: number } | undefined;
let starting: Promise<number> | undefined;
let users = 0;
let lastPort = 0;
/** What the host passes the worker as `--functions-grpc-max-message-length` (the host's default). */
const maxMessageLength = 2147483647;

/** Lets the Settlement service settle `tokens` through `settler` until the returned function is called. */
export function registerLocks(tokens: readonly string[], settler: Settler): () => void {
  for (const token of tokens) settlers.set(token, settler);
  return () => {
    for (const token of tokens) if (settlers.get(token) === settler) settlers.delete(token);
  };
}

/** Starts the service (or joins the running one); resolves with its port. */
export async function acquireSettlementService(): Promise<number> {
  users++;
  if (server) return server.port;
  starting ??= start().finally(() => (starting = undefined));
  return starting;
}

/** Stops the service once its last user has released it. */
export async function releaseSettlementService(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || !server) return;
  const stopping = server.grpc;
  server = undefined;
  await new Promise<void>((resolve) => stopping.tryShutdown(() => resolve()));
}

async function start(): Promise<number> {
  const extensionMain = createRequire(import.meta.url).resolve("@azure/functions-extensions-servicebus");
  const protoPath = join(dirname(extensionMain), "proto", "settlement.proto");
  const definition = protoLoader.loadSync(protoPath, { keepCase: false, longs: String, defaults: true, oneofs: true });
  const service = (grpc.loadPackageDefinition(definition).Settlement as grpc.ServiceClientConstructor).service;
  const instance = new grpc.Server({ "grpc.max_receive_message_length": maxMessageLength, "grpc.max_send_message_length": maxMessageLength });
  const unimplemented = (what: string) => (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${what} is not emulated by devhost` });
  instance.addService(service, {
    complete: settle((s, r) => s.complete(r.locktoken)),
    abandon: settle((s, r) => s.abandon(r.locktoken)),
    deadletter: settle((s, r) => s.deadLetter(r.locktoken, r.deadletterReason?.value ?? "", r.deadletterErrorDescription?.value ?? "")),
    renewMessageLock: settle((s, r) => s.renewLock(r.locktoken)),
    defer: unimplemented("Defer"),
    getSessionState: unimplemented("Sessions"),
    setSessionState: unimplemented("Sessions"),
    releaseSession: unimplemented("Sessions"),
    renewSessionLock: unimplemented("Sessions"),
  });
  const port = await new Promise<number>((resolve, reject) =>
    instance.bindAsync(`127.0.0.1:${lastPort}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  lastPort = port;
  server = { grpc: instance, port };
  setWorkerArguments(port);
  return port;
}

interface SettleRequest {
  locktoken: string;
  deadletterReason?: { value: string } | null;
  deadletterErrorDescription?: { value: string } | null;
}

function settle(op: (settler: Settler, request: SettleRequest) => Promise<unknown>) {
  return (call: grpc.ServerUnaryCall<SettleRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const settler = settlers.get(call.request.locktoken);
    if (!settler) {
      callback({
        code: grpc.status.NOT_FOUND,
        details: `No message with lock token ${call.request.locktoken} is locked for an invocation (lock lost or already settled)`,
      });
      return;
    }
    Promise.resolve()
      .then(() => op(settler, call.request))
      .then(
        () => callback(null, {}),
        (error: unknown) => callback({ code: grpc.status.FAILED_PRECONDITION, details: error instanceof Error ? error.message : String(error) }),
      );
  };
}

/** The worker's command-line arguments the extension reads, replacing any of the same name. */
function setWorkerArguments(port: number): void {
  const names = new Set(["--host", "--port", "--functions-grpc-max-message-length"]);
  const kept: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.split("=")[0]!;
    if (!names.has(name)) kept.push(argv[i]!);
    else if (!argv[i]!.includes("=")) i++;
  }
  process.argv.splice(
    2,
    process.argv.length - 2,
    ...kept,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--functions-grpc-max-message-length",
    String(maxMessageLength),
  );
}
