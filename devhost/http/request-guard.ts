import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Paths only devhost's key opens: the Durable extension's webhooks (as the real host guards them
 * with its `durabletask_extension` system key) and devhost's own `/_devhost/…` admin routes.
 */
export const protectedPrefixes = ["/runtime/webhooks/durabletask", "/_devhost"] as const;

/** The header the Functions host reads a key from; `?code=` works too. */
export const functionsKeyHeader = "x-functions-key";

/** Why a request is answered before any handler (and before any body byte is read). */
export interface Refusal {
  status: number;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

const hostShape = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isProtectedPath(path: string): boolean {
  return protectedPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * True for `localhost`, `127.x.x.x` and `[::1]` (any port). Names a page's DNS answer could point
 * at this machine (rebinding) are not loopback names, so the browser's `Host` gives them away.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host || !hostShape.test(host)) return false;
  // Every request carries a Host, nearly always one of a few; parsing it as a URL each time cost a visible share of a loopback hop.
  let loopback = hostVerdicts.get(host);
  if (loopback === undefined) {
    loopback = hostIsLoopback(host);
    if (hostVerdicts.size >= maxHostVerdicts) hostVerdicts.clear();
    hostVerdicts.set(host, loopback);
  }
  return loopback;
}

/** Host headers already judged; a well-formed Host is at most 261 characters, so the cache stays small. */
const hostVerdicts = new Map<string, boolean>();
const maxHostVerdicts = 64;

function hostIsLoopback(host: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Checks every request gets, in order: a loopback `Host`, then a declared body within `maxBodyBytes`. */
export function refuseAnyRequest(req: IncomingMessage, maxBodyBytes: number): Refusal | undefined {
  if (!isLoopbackHost(req.headers.host)) {
    return { status: 400, title: "Invalid Host", detail: "devhost answers only requests addressed to localhost, 127.0.0.1 or [::1]" };
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return { status: 413, title: "Payload Too Large", detail: `The request body exceeds ${maxBodyBytes} bytes.` };
  }
  return undefined;
}

/**
 * For {@link protectedPrefixes}: devhost's key (`x-functions-key` or `?code=`), then, on a
 * state-changing request, a body only as `application/json`. A cross-origin page can send a
 * `text/plain` POST without a preflight; it can never send this content type without one.
 */
export function refuseInternalRequest(req: IncomingMessage, key: string): Refusal | undefined {
  if (!keyMatches(presentedKey(req), key)) {
    return {
      status: 401,
      title: "Unauthorized",
      detail: `devhost's internal routes need devhost's key, as ${functionsKeyHeader} or ?code=`,
      headers: { "www-authenticate": `${functionsKeyHeader}` },
    };
  }
  const method = (req.method ?? "GET").toUpperCase();
  if (!stateChanging.has(method)) return undefined;
  const contentType = req.headers["content-type"];
  const hasBody = Number(req.headers["content-length"] ?? "0") > 0 || req.headers["transfer-encoding"] !== undefined;
  if (contentType === undefined ? !hasBody : isJson(contentType)) return undefined;
  return { status: 415, title: "Unsupported Media Type", detail: `${method} on devhost's internal routes takes an application/json body` };
}

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers[functionsKeyHeader];
  if (typeof header === "string" && header !== "") return header;
  const query = (req.url ?? "").split("?")[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get("code") ?? undefined);
}

function keyMatches(presented: string | undefined, key: string): boolean {
  if (presented === undefined) return false;
  // Constant time over the bytes, as the host compares keys; a wrong length is told at once, which gives away
  // only the key's length (devhost's keys all have one). Hashing both sides first cost every loopback hop two digests.
  const sent = Buffer.from(presented);
  const expected = Buffer.from(key);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

function isJson(contentType: string): boolean {
  return contentType.split(";")[0]!.trim().toLowerCase() === "application/json";
}
