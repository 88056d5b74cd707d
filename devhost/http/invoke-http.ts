import type { IncomingMessage, ServerResponse } from "node:http";
import type { CapturedApp, CapturedFunction } from "../loader.js";
import type { Logger } from "../log.js";
import type { RpcHttpCookie, RpcHttpData, RpcParameterBinding, RpcTypedData } from "../rpc-data.js";
import { appLog, invokeAsWorker } from "../worker-invocation.js";
import { sendProblem } from "./problem.js";
import type { HttpRoute } from "./router.js";

export interface HttpInvocation {
  app: CapturedApp;
  log: Logger;
  /** The values of a function's other input bindings, as their extensions send them (e.g. `durableClient`). */
  inputData(fn: CapturedFunction): RpcParameterBinding[];
  /** The public origin, e.g. `http://localhost:7071`. */
  baseUrl: string;
}

/**
 * Calls an HTTP-triggered function as the Functions host and Node worker do: the request goes
 * to the app's programming model as RPC HTTP data (route values as `params`, the body as bytes),
 * and the RPC HTTP data the model returns (the `$return` binding, else a named `http` output)
 * is written back. The library's conversions run both ways, so a response the host would
 * refuse is refused here with the library's message.
 */
export async function invokeHttp(
  host: HttpInvocation,
  route: HttpRoute,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const fn = route.fn;
  const http = rpcHttpRequest(host.baseUrl, req, params, body);
  const outcome = await invokeAsWorker(
    host.app,
    fn,
    {
      inputData: [{ name: fn.trigger.name, data: { http } }, ...host.inputData(fn)],
      // The host sends the route values as trigger metadata too; the library ignores it for HTTP triggers.
      triggerMetadata: Object.fromEntries(Object.entries(params).map(([name, value]) => [name, { string: value }])),
    },
    appLog(host.log.app, fn.name),
  );
  if (outcome.status === "failed") {
    host.log.error(`function '${fn.name}' failed`, outcome.error);
    sendProblem(res, 500, "Internal Server Error", `Function '${fn.name}' failed: ${outcome.error.message}`);
    return;
  }
  const output = httpOutput(fn, outcome.response.returnValue, outcome.response.outputData);
  if (!output?.http) {
    res.writeHead(204).end();
    return;
  }
  writeResponse(output.http, res);
}

/** RPC HTTP data for one request, as the host builds it: query values joined by commas, repeated headers by ", ". */
export function rpcHttpRequest(baseUrl: string, req: IncomingMessage, params: Record<string, string>, body: Buffer): RpcHttpData {
  const method = (req.method ?? "GET").toUpperCase();
  const url = `${baseUrl}${req.url ?? "/"}`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const query: Record<string, string> = {};
  const search = new URL(url).searchParams;
  for (const name of new Set(search.keys())) query[name] = search.getAll(name).join(",");
  return {
    method,
    url,
    headers,
    query,
    params,
    ...(body.length > 0 && method !== "GET" && method !== "HEAD" ? { body: { bytes: body } } : {}),
  };
}

/** The host answers with the `$return` http binding when there is one, else the function's named http output. */
function httpOutput(
  fn: CapturedFunction,
  returnValue: RpcTypedData | null | undefined,
  outputData: RpcParameterBinding[] = [],
): RpcTypedData | null | undefined {
  if (fn.bindings.$return?.type === "http") return returnValue;
  const named = Object.entries(fn.bindings).find(([name, b]) => name !== "$return" && b.type === "http" && b.direction === "out");
  return named ? outputData.find((o) => o.name === named[0])?.data : undefined;
}

function writeResponse(http: RpcHttpData, res: ServerResponse): void {
  res.statusCode = http.statusCode ? Number(http.statusCode) : 200;
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (name.toLowerCase() === "set-cookie") cookies.push(value);
    else res.setHeader(name, value);
  }
  cookies.push(...(http.cookies ?? []).map(serializeCookie));
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = http.body?.bytes ?? (http.body?.string !== undefined ? Buffer.from(http.body.string) : undefined);
  // Buffered, as the Functions host answers unless the app opts into HTTP streaming: one write, not one per chunk.
  res.end(body && body.length > 0 ? Buffer.from(body) : undefined);
}

const sameSiteNames: Record<string, string> = { lax: "Lax", strict: "Strict", explicitNone: "None" };

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  if (cookie.expires?.value) parts.push(`Expires=${new Date(cookie.expires.value.seconds * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined && cookie.maxAge !== null) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push("Secure");
  if (cookie.httpOnly?.value) parts.push("HttpOnly");
  const sameSite = typeof cookie.sameSite === "string" ? sameSiteNames[cookie.sameSite] : undefined;
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join("; ");
}
