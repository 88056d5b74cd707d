import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { TokenCredential } from "@azure/identity";

/** A request the stand-in received. */
export interface StandInRequest {
  method: string;
  /** Path and query, e.g. `/openai/deployments/chat/chat/completions?api-version=2024-10-21`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the stand-in answers: a status, headers, and a body (objects are sent as JSON). */
export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

export interface StandIn {
  /** `http://127.0.0.1:<port>`, the endpoint the client is given. */
  url: string;
  requests: StandInRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP server on loopback that answers like an Azure AI data plane from a script: `answer`
 * is called with each request and its 0-based number. Every request is recorded, so a test
 * asserts what the real client sent.
 */
export async function startStandIn(answer: (request: StandInRequest, n: number, base: string) => StandInAnswer): Promise<StandIn> {
  const requests: StandInRequest[] = [];
  let base = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const { status, headers = {}, body } = answer(request, requests.length - 1, base);
      const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, { ...(typeof body === "object" ? { "content-type": "application/json" } : {}), ...headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A credential that hands out a fixed token, as the managed identity would. */
export const standInCredential: TokenCredential = { getToken: async () => ({ token: "stand-in-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** A wait that records the delays asked for instead of sleeping: the test asserts the advertised delay was honoured, without timing anything. */
export function recordedWaits(): { waits: number[]; wait: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, wait: async (ms: number) => void waits.push(ms) };
}

/** The path the stand-in's managed-identity token endpoint is served on (`IDENTITY_ENDPOINT`). */
export const identityPath = "/msi/token";
/** The `IDENTITY_HEADER` secret the App Service token endpoint expects back as `X-IDENTITY-HEADER`. */
export const identityHeader = "stand-in-identity-header";
/** The token the stand-in's identity endpoint issues; data-plane requests must carry it. */
export const identityToken = "stand-in-msi-token";

/**
 * The settings with which `DefaultAzureCredential` (its `ManagedIdentityCredential`, App Service
 * source) asks the stand-in for tokens, as App Service and Functions give them to an app.
 */
export const identitySettings = (standIn: StandIn): Record<string, string> => ({
  IDENTITY_ENDPOINT: `${standIn.url}${identityPath}`,
  IDENTITY_HEADER: identityHeader,
});

/**
 * The App Service managed-identity protocol (api-version 2019-08-01): `GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01`
 * with `X-IDENTITY-HEADER`. Answers a token for a request that follows it, a 400 otherwise (so a
 * wrong request fails the caller's credential instead of passing unnoticed).
 */
export function identityAnswer(request: StandInRequest): StandInAnswer {
  const url = new URL(request.url, "http://stand-in");
  const resource = url.searchParams.get("resource");
  if (request.method !== "GET" || url.searchParams.get("api-version") !== "2019-08-01" || request.headers["x-identity-header"] !== identityHeader || !resource)
    return { status: 400, body: { error: "invalid_request", error_description: "not an App Service managed-identity token request" } };
  return {
    status: 200,
    body: { access_token: identityToken, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: "Bearer" },
  };
}
