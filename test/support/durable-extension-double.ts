import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One call the Durable client made to the extension's HTTP API. */
export interface RecordedCall {
  method: string;
  path: string;
  body: string;
}

/**
 * Stands in for the Durable extension's client HTTP API (the `rpcBaseUrl` the
 * real client talks to), so HTTP triggers run with the unmodified
 * `durable-functions` client. It records calls and knows which instances exist.
 */
export class DurableExtensionDouble {
  readonly calls: RecordedCall[] = [];
  readonly instances = new Map<string, { name: string; input: unknown }>();
  /** When set, `startNew` answers with this HTTP status instead of creating the instance. */
  failStartWith: number | undefined;
  private server: Server | undefined;
  private baseUrl = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const path = new URL(req.url ?? "/", "http://double").pathname;
        this.calls.push({ method: req.method ?? "", path, body });
        const start = /^\/orchestrators\/([^/]+)\/([^/]+)$/.exec(path);
        const status = /^\/instances\/([^/]+)$/.exec(path);
        const raise = /^\/instances\/([^/]+)\/raiseEvent\/([^/]+)$/.exec(path);
        res.setHeader("Content-Type", "application/json");
        if (req.method === "POST" && start) {
          if (this.failStartWith) {
            res.writeHead(this.failStartWith).end(JSON.stringify({ message: "injected failure" }));
            return;
          }
          const [, name, id] = start as unknown as [string, string, string];
          this.instances.set(decodeURIComponent(id), { name, input: body ? JSON.parse(body) : undefined });
          res.writeHead(202).end(JSON.stringify({ id: decodeURIComponent(id) }));
        } else if (req.method === "GET" && status && this.instances.has(decodeURIComponent(status[1]!))) {
          const id = decodeURIComponent(status[1]!);
          res.writeHead(200).end(
            JSON.stringify({
              name: this.instances.get(id)!.name,
              instanceId: id,
              runtimeStatus: "Running",
              input: this.instances.get(id)!.input ?? null,
              output: null,
              createdTime: new Date().toISOString(),
              lastUpdatedTime: new Date().toISOString(),
            }),
          );
        } else if (req.method === "POST" && raise && this.instances.has(decodeURIComponent(raise[1]!))) {
          res.writeHead(202).end();
        } else {
          res.writeHead(404).end(JSON.stringify({ message: "not found" }));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  /** The value the Functions host puts in a `durableClient` input binding. */
  clientBinding(): Record<string, unknown> {
    return { taskHubName: "test", creationUrls: {}, managementUrls: {}, baseUrl: this.baseUrl, requiredQueryStringParameters: "", rpcBaseUrl: this.baseUrl };
  }

  startCalls(): RecordedCall[] {
    return this.calls.filter((call) => call.method === "POST" && call.path.startsWith("/orchestrators/"));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
