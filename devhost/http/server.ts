import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { invokeHttp, type HttpInvocation } from "./invoke-http.js";
import { sendProblem } from "./problem.js";
import type { Router } from "./router.js";

/** Handles every request under a mounted prefix (devhost's internal APIs); it reads the body itself. */
export type MountHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** @default 100 MiB, the Functions host's request size limit. */
const defaultMaxBodyBytes = 100 * 1024 * 1024;

/**
 * devhost's HTTP front door: internal mounts first (`/runtime/webhooks/durabletask`,
 * `/_devhost/…`), then the app's routes. Until the app is loaded, app routes answer 503.
 */
export class DevHostServer {
  private readonly server: Server;
  private readonly mounts: Array<{ prefix: string; handler: MountHandler }> = [];
  private app: { router: Router; invocation: HttpInvocation } | undefined;

  constructor(
    private readonly log: Logger,
    private readonly maxBodyBytes = defaultMaxBodyBytes,
  ) {
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
    const mount = this.mounts.find((m) => path === m.prefix || path.startsWith(m.prefix + "/"));
    if (mount) return mount.handler(req, res);
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
