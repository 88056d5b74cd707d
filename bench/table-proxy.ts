import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the armed request fails: before it reaches the service, or after the service applied it (the answer is lost). */
export type ProxyFault = "drop-request" | "drop-answer";

/**
 * A pass-through HTTP proxy in front of Azurite's Table service that counts requests (what
 * bench/ledger-requests.ts reports) and can stand in for a process killed mid-request (what
 * test/integration/ledger-atomic.test.ts does): from the armed request on, the client hears only
 * refusals (403, which the SDK does not retry), so nothing it sends afterwards lands.
 */
export interface TableProxy {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  requests: number;
  /** Kills the client at the request numbered `at` (counted from now, from 1) as `fault`: that request and every later one fail. */
  arm(at: number, fault: ProxyFault): void;
  disarm(): void;
  close(): Promise<void>;
}

export async function tableProxy(connectionString: string): Promise<TableProxy> {
  const target = new URL(/TableEndpoint=([^;]+)/.exec(connectionString)![1]!);
  let armed: { at: number; fault: ProxyFault } | undefined;
  const proxy: TableProxy = {
    connectionString: "",
    requests: 0,
    arm(at, fault) {
      armed = { at: proxy.requests + at, fault };
    },
    disarm() {
      armed = undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = ++proxy.requests;
    const dead = armed !== undefined && n >= armed.at;
    const refuse = () =>
      res.writeHead(403, { "content-type": "application/json" }).end('{"odata.error":{"code":"ProcessKilled","message":{"value":"killed"}}}');
    if (dead && !(n === armed!.at && armed!.fault === "drop-answer")) {
      req.resume();
      req.on("end", refuse);
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (dead) {
        answer.resume();
        answer.on("end", refuse);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  proxy.connectionString = connectionString.replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=http://127.0.0.1:${port}`);
  return proxy;
}
