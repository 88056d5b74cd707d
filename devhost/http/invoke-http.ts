import type { IncomingMessage, ServerResponse } from "node:http";
import type { Cookie, HttpResponse, HttpResponseInit } from "@azure/functions";
import type { FunctionsLib } from "../functions-lib.js";
import { createInvocationContext, type InputBindingValues } from "../invocation.js";
import type { Logger } from "../log.js";
import { sendProblem } from "./problem.js";
import type { HttpRoute } from "./router.js";

export interface HttpInvocation {
  lib: FunctionsLib;
  log: Logger;
  inputs: InputBindingValues;
  /** The public origin, e.g. `http://localhost:7071`. */
  baseUrl: string;
}

/**
 * Calls an HTTP-triggered function the way the Functions worker does: an
 * `HttpRequest` with the route values as `params`, a matching
 * `InvocationContext`, and the handler's `HttpResponseInit`/`HttpResponse`
 * (the `$return` binding, or a named http output) written back to the client.
 */
export async function invokeHttp(
  host: HttpInvocation,
  route: HttpRoute,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const { lib, log } = host;
  const fn = route.fn;
  const method = (req.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const request = new lib.HttpRequest({
    method,
    url: `${host.baseUrl}${req.url ?? "/"}`,
    headers,
    params,
    ...(body.length > 0 && method !== "GET" && method !== "HEAD" ? { body: { bytes: body } } : {}),
  });
  const context = createInvocationContext(lib, fn, log, host.inputs, { ...params });
  let result: unknown;
  try {
    result = await fn.handler(request, context);
  } catch (error) {
    log.error(`function '${fn.name}' threw`, error);
    sendProblem(res, 500, "Internal Server Error", `Function '${fn.name}' failed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const output = pickHttpOutput(fn.bindings, context.extraOutputs, result);
  if (output === undefined || output === null) {
    res.writeHead(204).end();
    return;
  }
  if (typeof output !== "object") {
    log.error(`function '${fn.name}' returned a ${typeof output}, not an HTTP response object`);
    sendProblem(res, 500, "Internal Server Error", "The HTTP response must be an object with optional body, status, headers and cookies.");
    return;
  }
  try {
    const response = output instanceof lib.HttpResponse ? output : new lib.HttpResponse(output as HttpResponseInit);
    await writeResponse(response, res);
  } catch (error) {
    log.error(`function '${fn.name}' returned a response that cannot be sent`, error);
    sendProblem(res, 500, "Internal Server Error", error instanceof Error ? error.message : String(error));
  }
}

function pickHttpOutput(
  bindings: Record<string, { type: string; direction: string }>,
  extraOutputs: { get(name: string): unknown },
  result: unknown,
): unknown {
  if (bindings.$return?.type === "http") return result;
  const named = Object.entries(bindings).find(([name, b]) => name !== "$return" && b.type === "http" && b.direction === "out");
  return named ? (extraOutputs.get(named[0]) ?? result) : result;
}

async function writeResponse(response: HttpResponse, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers.entries()) {
    if (name.toLowerCase() !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  // Buffered, as the Functions host answers unless the app opts into HTTP streaming: one write, not one per chunk.
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}
