import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LookupAddress } from "node:dns";
import type { RequestOptions } from "node:https";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchAllowlisted, isAllowed, isPublicAddress, parseAllowlist, RefError, RefErrorCode } from "../../lib/refs/index.js";
import { ConfigurationError } from "../../lib/config/settings.js";

/** A local server standing in for remote hosts; it counts requests, so "no request made" is provable. */
let server: Server;
let port: number;
let requests = 0;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("ok");

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on("request", () => requests++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = 0;
  handler = (_req, res) => res.end("ok");
});

/** Fake DNS: the public names resolve to documentation-free public addresses, `intranet.example.com` to a private one. */
const dns: Record<string, string> = { "docs.example.com": "93.184.215.14", "cdn.example.net": "151.101.1.1", "intranet.example.com": "10.1.2.3" };
const resolve = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
  const address = dns[hostname];
  if (!address) callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
  else callback(null, [{ address, family: 4 }]);
};

/**
 * Speaks plain HTTP to the local server but resolves through the fetcher's guarded lookup first,
 * so an address the guard refuses never gets a connection.
 */
const request = (url: URL, options: RequestOptions) =>
  httpRequest({
    host: url.hostname,
    port,
    path: url.pathname + url.search,
    method: "GET",
    headers: { "x-original-host": url.host },
    ...(options.signal ? { signal: options.signal } : {}),
    lookup: (hostname, lookupOptions, callback) => {
      (options.lookup as unknown as (h: string, o: object, cb: (e: Error | null) => void) => void)(hostname, { ...lookupOptions, all: true }, (error) => {
        if (error) (callback as (e: Error) => void)(error);
        else (callback as (e: null, a: LookupAddress[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
      });
    },
  });

const allowlist = parseAllowlist("https://docs.example.com/public/, https://*.example.net");
const fetchIt = (uri: string, maxBytes = 1024) => fetchAllowlisted(uri, { allowlist, maxBytes, resolve, request });
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error instanceof RefError ? { code: error.code, retryable: error.retryable } : { code: String(error), retryable: undefined };
  }
  return { code: "none", retryable: undefined };
};

describe("input allowlist", () => {
  it("parses https prefixes and matches host, subdomains, port and path prefix", () => {
    const url = (u: string) => new URL(u);
    expect(isAllowed(url("https://docs.example.com/public/a.png"), allowlist)).toBe(true);
    expect(isAllowed(url("https://docs.example.com/public"), allowlist)).toBe(false);
    expect(isAllowed(url("https://docs.example.com/publicity/a.png"), allowlist)).toBe(false);
    expect(isAllowed(url("https://docs.example.com/private/a.png"), allowlist)).toBe(false);
    expect(isAllowed(url("https://docs.example.com:8443/public/a.png"), allowlist)).toBe(false);
    expect(isAllowed(url("http://docs.example.com/public/a.png"), allowlist)).toBe(false);
    expect(isAllowed(url("https://a.b.example.net/x"), allowlist)).toBe(true);
    expect(isAllowed(url("https://example.net/x"), allowlist)).toBe(false);
    expect(isAllowed(url("https://user:pw@docs.example.com/public/a.png"), allowlist)).toBe(false);
    expect(parseAllowlist("")).toEqual([]);
  });

  it.each(["http://docs.example.com", "https://docs.*.com", "https://u:p@docs.example.com", "https://docs.example.com/?q=1", "docs.example.com"])(
    "refuses the entry %s at start-up",
    (entry) => expect(() => parseAllowlist(entry)).toThrow(ConfigurationError),
  );
});

describe("public addresses", () => {
  it.each([
    ["93.184.215.14", true],
    ["2606:4700::1111", true],
    ["127.0.0.1", false],
    ["10.0.0.1", false],
    ["172.20.1.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:8.8.8.8", true],
    ["64:ff9b::10.0.0.1", false],
    ["localhost", false],
  ])("%s → %s", (address, expected) => expect(isPublicAddress(address as string)).toBe(expected));
});

describe("fetching an https input", () => {
  it("reads an allowlisted input", async () => {
    handler = (req, res) => res.end(`hello from ${req.headers["x-original-host"]}${req.url}`);
    const got = await fetchIt("https://docs.example.com/public/a.txt");
    expect(got.bytes.toString()).toBe("hello from docs.example.com/public/a.txt");
    expect(requests).toBe(1);
  });

  it.each([
    ["off the allowlist", "https://docs.example.com/private/a.png"],
    ["plain http", "http://docs.example.com/public/a.png"],
    ["a private IP literal", "https://10.0.0.8/public/a.png"],
    ["loopback", "https://127.0.0.1/public/a.png"],
  ])("refuses %s as NON_RETRYABLE without any request", async (_what, uri) => {
    expect(await failure(fetchIt(uri))).toEqual({ code: RefErrorCode.notAllowed, retryable: false });
    expect(requests).toBe(0);
  });

  it("refuses an allowlisted name that resolves to a private address, before connecting", async () => {
    const list = parseAllowlist("https://intranet.example.com");
    expect(await failure(fetchAllowlisted("https://intranet.example.com/a.png", { allowlist: list, maxBytes: 10, resolve, request }))).toEqual({
      code: RefErrorCode.notAllowed,
      retryable: false,
    });
    expect(requests).toBe(0);
  });

  it("follows redirects within the allowlist and refuses one that leaves it, requesting nothing off it", async () => {
    handler = (req, res) => {
      if (req.url === "/public/moved") res.writeHead(302, { location: "https://cdn.example.net/file" }).end();
      else if (req.url === "/public/escape") res.writeHead(301, { location: "https://evil.example.org/file" }).end();
      else if (req.url === "/public/inward") res.writeHead(307, { location: "http://127.0.0.1/admin" }).end();
      else res.end(`served ${req.headers["x-original-host"]}${req.url}`);
    };
    expect((await fetchIt("https://docs.example.com/public/moved")).bytes.toString()).toBe("served cdn.example.net/file");
    expect(requests).toBe(2);
    requests = 0;
    expect(await failure(fetchIt("https://docs.example.com/public/escape"))).toEqual({ code: RefErrorCode.notAllowed, retryable: false });
    expect(await failure(fetchIt("https://docs.example.com/public/inward"))).toEqual({ code: RefErrorCode.notAllowed, retryable: false });
    expect(requests).toBe(2); // the two first hops only
  });

  it("classifies answers: 404 not found, 503 retryable, other 4xx refused, too large", async () => {
    handler = (req, res) => {
      if (req.url === "/public/404") res.writeHead(404).end();
      else if (req.url === "/public/503") res.writeHead(503).end();
      else if (req.url === "/public/403") res.writeHead(403).end();
      else res.end("x".repeat(5000));
    };
    expect(await failure(fetchIt("https://docs.example.com/public/404"))).toEqual({ code: RefErrorCode.inputNotFound, retryable: false });
    expect(await failure(fetchIt("https://docs.example.com/public/503"))).toEqual({ code: RefErrorCode.inputUnreachable, retryable: true });
    expect(await failure(fetchIt("https://docs.example.com/public/403"))).toEqual({ code: RefErrorCode.inputRejected, retryable: false });
    expect(await failure(fetchIt("https://docs.example.com/public/big", 1000))).toEqual({ code: RefErrorCode.inputTooLarge, retryable: false });
    expect(await failure(fetchIt("https://nowhere.example.com/public/x"))).toEqual({ code: RefErrorCode.notAllowed, retryable: false });
  });

  it("reports an unresolvable allowlisted host as RETRYABLE", async () => {
    const list = parseAllowlist("https://gone.example.com");
    expect(await failure(fetchAllowlisted("https://gone.example.com/a", { allowlist: list, maxBytes: 10, resolve, request }))).toEqual({
      code: RefErrorCode.inputUnreachable,
      retryable: true,
    });
  });
});
