/**
 * A bare HTTP/1.1 client over a socket, for requests no well-behaved client would send: raw
 * paths (`..`, `%00`), lying Content-Length, malformed framing. One request per connection.
 */
import { connect } from "node:net";

export interface RawRequest {
  method: string;
  /** Sent as written: no normalisation, no encoding. */
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** Content-Length to declare; the real body length unless the request lies about it. */
  declaredLength?: number;
  /** The `Host` header. @default "127.0.0.1" */
  host?: string;
  /** Keep the socket open for writing even when promising more body than is sent (a client still uploading). */
  holdOpen?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseResponse(data: Buffer): RawResponse {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) throw new Error(`no complete response head in ${data.length} bytes: ${data.toString("latin1").slice(0, 80)}`);
  const [statusLine, ...lines] = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not a status line: ${statusLine}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = data.subarray(headEnd + 4);
  return { status, headers, body: headers.get("transfer-encoding")?.includes("chunked") ? decodeChunked(rest) : rest };
}

/**
 * Sends one request with `Connection: close` and reads the first response until the server
 * closes. The socket stays open for writing like any client's, except when the request promises
 * more body than it sends: then it half-closes, as a client that gave up would (Node's server
 * drops a request whose client half-closes, so doing it always would lose slow answers).
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${request.host ?? "127.0.0.1"}`,
    "Connection: close",
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    ...(request.body.length > 0 || request.declaredLength !== undefined ? [`Content-Length: ${request.declaredLength ?? request.body.length}`] : []),
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => (chunks.length > 0 ? settle() : reject(error)));
    socket.on("close", () => settle());
    let settled = false;
    function settle() {
      if (settled) return;
      settled = true;
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    const data = Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), request.body]);
    if ((request.declaredLength ?? 0) > request.body.length && !request.holdOpen) socket.end(data);
    else socket.write(data);
  });
}
