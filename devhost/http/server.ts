import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { invokeHttp, type HttpInvocation } from "./invoke-http.js";
import { sendProblem } from "./problem.js";
import { isProtectedPath, refuseAnyRequest, refuseInternalRequest, type Refusal } from "./request-guard.js";
import { pathSegments, type Router } from "./router.js";

/** Handles every request under a mounted prefix (devhost's internal APIs); it reads the body itself. */
export type MountHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** @default 100 MiB, the Functions host's request size limit (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` changes it). */
export const defaultMaxBodyBytes = 100 * 1024 * 1024;

export interface DevHostServerOptions {
  /** devhost's key: the Durable webhooks and every `/_devhost/…` route need it. */
  key: string;
  /** @default {@link defaultMaxBodyBytes} */
  maxBodyBytes?: number;
}

/**
 * devhost's HTTP front door: internal mounts first (`/runtime/webhooks/durabletask`,
 * `/_devhost/…`), then the app's routes. Until the app is loaded, app routes answer 503.
 */
export class DevHostServer {
  private readonly server: Server;
  private readonly mounts: Array<{ prefix: string; handler: MountHandler }> = [];
  private app: { router: Router; invocation: HttpInvocation } | undefined;
  private readonly maxBodyBytes: number;

  constructor(
    private readonly log: Logger,
    private readonly options: DevHostServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A client that hung up mid-body (or lied in Content-Length) gets nothing: there is no one to answer.
        if (req.destroyed || res.destroyed || res.headersSent) {
          this.log.info(`request ${req.method} ${req.url} ended early: ${error instanceof Error ? error.message : String(error)}`);
          res.destroy();
          return;
        }
        this.log.error(`request ${req.method} ${req.url} failed`, error);
        sendProblem(res, 500, "Internal Server Error", error instanceof Error ? error.message : String(error));
      });
    });
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Routes every path equal to or under `prefix` to `handler`. Longest prefix wins. */
  mount(prefix: string, handler: MountHandler): void {
    const normalized = "/" + prefix.replace(/^\/+|\/+$/g, "");
    this.mounts.push({ prefix: normalized, handler });
    this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  serveApp(router: Router, invocation: HttpInvocation): void {
    this.app = { router, invocation };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    // Refused before a body byte is read: a caller without devhost's key gets nothing buffered.
    const refusal = refuseAnyRequest(req, this.maxBodyBytes) ?? (isProtectedPath(path) ? this.refuseInternal(req, path) : undefined);
    if (refusal) return refuse(res, refusal);
    const mount = this.mounts.find((m) => path === m.prefix || path.startsWith(m.prefix + "/"));
    if (mount) return mount.handler(req, res);
    if (isProtectedPath(path)) {
      sendProblem(res, 404, "Not Found", `devhost has no internal route ${path}.`);
      return;
    }
    const body = await readBody(req, this.maxBodyBytes);
    if (body === undefined) {
      sendProblem(res, 413, "Payload Too Large", `The request body exceeds ${this.maxBodyBytes} bytes.`);
      return;
    }
    if (!this.app) {
      sendProblem(res, 503, "Service Unavailable", "devhost is still loading the app.");
      return;
    }
    const lookup = this.app.router.lookup(req.method ?? "GET", path);
    if (lookup.kind === "notFound") {
      sendProblem(res, 404, "Not Found", `No function serves ${req.method} ${path}.`);
    } else if (lookup.kind === "methodNotAllowed") {
      sendProblem(res, 405, "Method Not Allowed", `${req.method} is not allowed on ${path}.`, { allow: lookup.allowed.join(", ") });
    } else {
      await invokeHttp(this.app.invocation, lookup.route, lookup.params, req, res, body);
    }
  }

  private refuseInternal(req: IncomingMessage, path: string): Refusal | undefined {
    const refusal = refuseInternalRequest(req, this.options.key);
    if (refusal || pathSegments(path)) return refusal;
    return { status: 400, title: "Bad Request", detail: "The path is not valid percent-encoding." };
  }
}

/** Answers a refusal and closes the connection, so a body the client still sends is never read. */
function refuse(res: ServerResponse, refusal: Refusal): void {
  res.setHeader("connection", "close");
  sendProblem(res, refusal.status, refusal.title, refusal.detail, refusal.headers);
}

/** The whole request body, or undefined when it exceeds `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = defaultMaxBodyBytes): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
