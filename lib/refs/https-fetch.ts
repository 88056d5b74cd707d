import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { isIP } from "node:net";
import { isAllowed, type Allowlist } from "./allowlist.js";
import { isPublicAddress } from "./address.js";
import { RefError, RefErrorCode } from "./errors.js";

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => void;

export interface HttpsFetchOptions {
  allowlist: Allowlist;
  maxBytes: number;
  signal?: AbortSignal;
  /** Redirect hops followed, each re-checked against the allowlist. @default 5 */
  maxRedirects?: number;
  /** Per-request socket idle timeout. @default 30000 */
  timeoutMs?: number;
  /** DNS resolution used at connect time (tests substitute it). @default node:dns lookup */
  resolve?: (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
  /** Issues one request (tests substitute it). @default node:https request */
  request?: (url: URL, options: RequestOptions) => ClientRequest;
}

export interface FetchedInput {
  bytes: Buffer;
  contentType?: string;
  /** The URI the bytes came from after redirects. */
  uri: string;
}

const notAllowed = (message: string) => new RefError(RefErrorCode.notAllowed, message);

/**
 * A DNS lookup that fails unless every address is public, so the check holds at connect time
 * (no window for DNS rebinding between a check and the connection).
 */
function guardedLookup(resolve: NonNullable<HttpsFetchOptions["resolve"]>): Lookup {
  return (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = addresses.find((a) => !isPublicAddress(a.address));
      if (blocked || addresses.length === 0) {
        return callback(notAllowed(`Input host ${hostname} resolves to a non-public address (${blocked?.address ?? "none"})`) as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses.find((a) => !options.family || a.family === options.family) ?? addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

const defaultResolve: NonNullable<HttpsFetchOptions["resolve"]> = (hostname, callback) =>
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => callback(error, addresses ?? []));

/** Rejects a URL before any request: not https, off the allowlist, or a private IP literal. */
export function checkHop(url: URL, allowlist: Allowlist): void {
  if (url.protocol !== "https:") throw notAllowed(`Input ${url.protocol} URLs are not accepted (only https from the allowlist, or the storage account)`);
  if (!isAllowed(url, allowlist)) throw notAllowed(`Input ${url.origin}${url.pathname} is not on the input allowlist`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !isPublicAddress(host)) throw notAllowed(`Input address ${host} is not public`);
}

function statusError(status: number, url: URL): RefError {
  const where = `${url.origin}${url.pathname}`;
  if (status === 404 || status === 410) return new RefError(RefErrorCode.inputNotFound, `Input ${where} does not exist (HTTP ${status})`);
  if (status === 408 || status === 429 || status >= 500) return new RefError(RefErrorCode.inputUnreachable, `Input ${where} answered HTTP ${status}`);
  return new RefError(RefErrorCode.inputRejected, `Input ${where} was refused (HTTP ${status})`);
}

function once(url: URL, options: HttpsFetchOptions, lookup: Lookup): Promise<IncomingMessage> {
  const send = options.request ?? ((u: URL, o: RequestOptions) => httpsRequest(u, o));
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method: "GET",
      lookup: lookup as RequestOptions["lookup"],
      signal: options.signal,
      timeout: options.timeoutMs ?? 30_000,
      headers: { accept: "*/*" },
    });
    request.on("response", resolve);
    request.on("timeout", () => request.destroy(new RefError(RefErrorCode.inputUnreachable, `Input ${url.origin} timed out`)));
    request.on("error", (error) => {
      if (error instanceof RefError || error.name === "AbortError") reject(error);
      else reject(new RefError(RefErrorCode.inputUnreachable, `Input ${url.origin} is unreachable: ${error.message}`, { cause: error }));
    });
    request.end();
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number, url: URL): Promise<Buffer> {
  const declared = Number(response.headers["content-length"] ?? NaN);
  const tooLarge = () => new RefError(RefErrorCode.inputTooLarge, `Input ${url.origin}${url.pathname} is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const part of response) {
      total += (part as Buffer).length;
      if (total > maxBytes) {
        response.destroy();
        throw tooLarge();
      }
      parts.push(part as Buffer);
    }
  } catch (error) {
    if (error instanceof RefError || (error as Error).name === "AbortError") throw error;
    throw new RefError(RefErrorCode.inputUnreachable, `Input ${url.origin} broke off: ${(error as Error).message}`, { cause: error });
  }
  return Buffer.concat(parts);
}

/**
 * GETs an https input from the allowlist. Redirects are followed by hand (at most
 * `maxRedirects`), each hop checked like the first; every connection's addresses must be
 * public. Nothing is requested for a URL that fails the checks.
 */
export async function fetchAllowlisted(uri: string, options: HttpsFetchOptions): Promise<FetchedInput> {
  const lookup = guardedLookup(options.resolve ?? defaultResolve);
  let url = new URL(uri);
  for (let hop = 0; ; hop++) {
    checkHop(url, options.allowlist);
    const response = await once(url, options, lookup);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 5))
        throw new RefError(RefErrorCode.inputRejected, `Input ${uri} redirects more than ${options.maxRedirects ?? 5} times`);
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw statusError(status, url);
    }
    const bytes = await readCapped(response, options.maxBytes, url);
    const contentType = response.headers["content-type"];
    return { bytes, uri: url.href, ...(contentType ? { contentType } : {}) };
  }
}
