/**
 * Seeded random requests against the Lucius API that must all be refused: no credential, a wrong
 * one, a forged principal, or a valid key for a tenant that owns none of the jobs and bodies named.
 * Every generator is a pure function of the PRNG, so a seed replays a run.
 */
import type { RawRequest } from "./raw-http.js";
import { tenantInput, tenantOutput } from "./tenant-refs.js";

/** mulberry32: small, fast, and good enough to spread requests; the seed is printed and replayable. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzWorld {
  /** Jobs that exist, all of the victim tenant. */
  victimJobs: string[];
  victimTenant: string;
  /** The Blob service URL of devhost's Azurite: valid envelopes name refs in their tenant's places there. */
  accountUrl: string;
  /** A valid key whose only tenant owns nothing the fuzz names. */
  otherKey: string;
  otherTenant: string;
  /** A key for every tenant: never sent; only its mangled forms and its hash are. */
  adminKey: string;
  adminKeyHash: string;
}

export const Credential = { none: "none", wrongKey: "wrong-key", otherTenantKey: "other-tenant-key", forgedPrincipal: "forged-principal" } as const;
export type Credential = (typeof Credential)[keyof typeof Credential];

/** One generated request and how it was made (printed when it gets a wrong answer). */
export interface FuzzCase {
  request: RawRequest;
  credential: Credential;
  kind: string;
  /** Malformed HTTP framing: refused by Node's parser with a bare 400, before any app code. */
  framing: boolean;
}

type Rng = () => number;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number) => rng() < p;
const bytes = (rng: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => int(rng, 0, 255)));
const printable = (rng: Rng, n: number) => String.fromCharCode(...Array.from({ length: n }, () => int(rng, 0x21, 0x7e)));
const token = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, [..."abcdefghijklmnopqrstuvwxyz0123456789-_"])).join("");
const percentBytes = (rng: Rng, n: number) => [...bytes(rng, n)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "COPY", "MOVE", "PURGE", "SEARCH", "REPORT"];
const jobActions = ["", "/steps", "/events", "/cancel", "/pause", "/resume", "/redrive", "/unknown", "/cancel/extra", "/"];

function oddSegment(rng: Rng): string {
  return pick(rng, [
    () => "..",
    () => "%2e%2e",
    () => ".%2E",
    () => "%00",
    () => `a%00${token(rng, 3)}`,
    () => "%2F",
    () => "%zz",
    () => "%",
    () => percentBytes(rng, int(rng, 1, 12)),
    () => token(rng, int(rng, 200, 7000)),
    () => "",
    () => ".",
    () => "~",
    () => "%E2%80%AE",
    () => "%F0%9F%92%A9",
    () => "%C0%AE",
    () => token(rng, int(rng, 1, 40)),
  ])();
}

function jobId(rng: Rng, world: FuzzWorld): string {
  if (chance(rng, 0.4)) return pick(rng, world.victimJobs);
  return chance(rng, 0.5) ? fakeUuid(rng) : oddSegment(rng);
}

function fakeUuid(rng: Rng): string {
  const hex = (n: number) => Array.from({ length: n }, () => int(rng, 0, 15).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(rng, ["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;
}

/** Tenants a request may name; the other tenant's own id only where the credential cannot be that key. */
function tenantFor(rng: Rng, world: FuzzWorld, credential: Credential): string {
  const foreign = [
    world.victimTenant,
    `${world.otherTenant.toUpperCase()}`,
    `${world.otherTenant}x`,
    `x${world.otherTenant}`,
    token(rng, int(rng, 1, 30)),
    "*",
    "All",
    "",
  ];
  if (credential !== Credential.otherTenantKey && chance(rng, 0.3)) return world.otherTenant;
  return pick(rng, foreign);
}

function query(rng: Rng, world: FuzzWorld, credential: Credential): string {
  const params: string[] = [];
  if (chance(rng, 0.8)) params.push(`tenant_id=${encodeURIComponent(tenantFor(rng, world, credential))}`);
  if (chance(rng, 0.3)) params.push(`state=${pick(rng, ["QUEUED", "RUNNING", "nope", "", percentBytes(rng, 3)])}`);
  if (chance(rng, 0.3)) params.push(`limit=${pick(rng, ["1", "0", "-1", "201", "1e3", "abc", "9".repeat(40)])}`);
  if (chance(rng, 0.3)) params.push(`continuation=${pick(rng, [token(rng, 30), percentBytes(rng, 20), Buffer.from(printable(rng, 40)).toString("base64")])}`);
  if (chance(rng, 0.1)) params.push(`tenant_id=${encodeURIComponent(world.victimTenant)}`);
  if (chance(rng, 0.05)) params.push(`tenant_id=${pick(rng, ["a".repeat(5000), encodeURIComponent("é".repeat(81))])}`);
  if (chance(rng, 0.1)) params.push(`${oddSegment(rng)}=${oddSegment(rng)}`);
  return params.length > 0 ? `?${params.join("&")}` : pick(rng, ["", "?", "?&&", "?tenant_id"]);
}

/** Paths the API serves, paths near them, and paths around them. */
function path(rng: Rng, world: FuzzWorld, credential: Credential): string {
  const id = () => jobId(rng, world);
  const shapes = [
    () => "/v1/commands",
    () => `/v1/jobs${query(rng, world, credential)}`,
    () => `/v1/jobs/${id()}${pick(rng, jobActions)}`,
    () => `/v1/jobs/${id()}/events${query(rng, world, credential)}`,
    () => `/v1/${oddSegment(rng)}/${oddSegment(rng)}`,
    () => `/${oddSegment(rng)}/v1/jobs/${id()}`,
    () => `/v1/jobs/${oddSegment(rng)}/../${id()}`,
    () => `/api/v1/jobs/${id()}`,
    () => `/v2/commands`,
    () => `/V1/JOBS/${id()}`,
    () => `/v1//jobs//${id()}`,
    () => `/${Array.from({ length: int(rng, 1, 12) }, () => oddSegment(rng)).join("/")}`,
    // devhost's internals: refused without devhost's key (never sent here), broken escapes included.
    () => `/_devhost/${pick(rng, ["servicebus/topics", "servicebus/faults", "storage", "metrics", "traces", oddSegment(rng)])}/${oddSegment(rng)}`,
    () => `/runtime/webhooks/durabletask/${pick(rng, ["instances", "orchestrators"])}/${oddSegment(rng)}${pick(rng, ["", "/terminate", "/raiseEvent/x"])}`,
  ];
  // Routes that answer a valid credential with 200 are sent only without one.
  if (credential !== Credential.otherTenantKey) {
    shapes.push(() => pick(rng, ["/v1/protocols", "/ready", "/v1/protocols/", "/ready?deep=1"]));
  }
  return pick(rng, shapes)();
}

function validEnvelope(rng: Rng, tenant: string, { accountUrl }: Pick<FuzzWorld, "accountUrl">): Record<string, unknown> {
  return {
    tenant_id: tenant,
    request_type: pick(rng, ["OCR->EMBEDDING->SIS", "OCR", "EMBEDDING->SIS", "SIS"]),
    input_ref: pick(rng, [tenantInput(accountUrl, tenant, "doc.png"), { uri: tenantInput(accountUrl, tenant, "a.pdf"), size_bytes: 10 }]),
    output_ref: tenantOutput(accountUrl, tenant, "doc/"),
    payload: {},
    schema_version: "v1",
    ...(chance(rng, 0.3) ? { idempotency_key: token(rng, 12) } : {}),
  };
}

/** One field broken so the envelope must be refused, whoever sends it. */
const breakages: Array<(envelope: Record<string, unknown>, rng: Rng) => void> = [
  (e) => delete e.tenant_id,
  (e) => delete e.request_type,
  (e) => delete e.input_ref,
  (e) => delete e.output_ref,
  (e) => delete e.payload,
  (e) => delete e.schema_version,
  (e, rng) => (e.tenant_id = pick(rng, [5, null, [], {}, true])),
  (e) => (e.tenant_id = ""),
  // Ids too long for a Table key once escaped, and invisible characters (issue #12's 500s and lookalikes).
  (e, rng) => (e.tenant_id = pick(rng, ["é".repeat(81), `a${" ".repeat(80)}`, "!".repeat(81), "t\u202eb", "t\u200bb", "t\ud800", "t\u2066b", "t\u00adb"])),
  (e, rng) => (e.request_type = pick(rng, ["", "NOPE", "OCR->OCR", 7, null, ["OCR"]])),
  (e, rng) =>
    (e.input_ref = pick(rng, [
      "",
      {},
      { uri: "" },
      { uri: "https://x.example/a", size_bytes: -1 },
      { uri: "https://x.example/a", size_bytes: 1.5 },
      42,
      [],
      null,
    ])),
  (e, rng) => (e.output_ref = pick(rng, ["", {}, { uri: 5 }, 42, false])),
  (e, rng) => (e.payload = pick(rng, ["x", [], null, 5, true])),
  (e, rng) => (e.schema_version = pick(rng, ["v2", "V1", 1, "", null])),
  (e, rng) => (e.mode = pick(rng, ["TURBO", "burst", 1, null])),
  (e) => {
    e.mode = "BURST";
    delete e.doc_id;
  },
  (e, rng) => (e.traceparent = pick(rng, ["nope", "00-0-0-00", "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 5])),
  (e, rng) => (e.idempotency_key = pick(rng, [5, {}, [], true])),
  (e, rng) => (e.doc_id = pick(rng, [5, {}, []])),
  (e, rng) => (e.correlation_id = pick(rng, [5, {}, []])),
  (e) => {
    e.request_type = "OCR->EMBEDDING->SIS";
    e.payload = { steps: { ocr: { output_format: "PDF" } } };
  },
  (e) => {
    e.request_type = "SIS";
    e.payload = { steps: { sis: { temperature: 3 } } };
  },
  (e) => {
    e.request_type = "EMBEDDING";
    e.payload = { steps: { embedding: { chunking: { max_tokens: 0 } } } };
  },
  (e, rng) => {
    e.request_type = "EMBEDDING";
    e.payload = {
      steps: {
        embedding: {
          chunking: pick(rng, [
            { max_tokens: 1000, overlap_tokens: 999 },
            { max_tokens: 2, overlap_tokens: 1 },
          ]),
        },
      },
    };
  },
];

function deepJson(rng: Rng): string {
  const depth = int(rng, 33, 4000);
  return chance(rng, 0.5) ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** Bodies and the content types that go with them. Tenant ids follow {@link tenantFor}. */
function body(rng: Rng, world: FuzzWorld, credential: Credential): { kind: string; body: Buffer; contentType?: string } {
  const json = "application/json";
  const asJson = (value: unknown) => Buffer.from(JSON.stringify(value));
  const tenant = tenantFor(rng, world, credential);
  const choice = int(rng, 0, 12);
  switch (choice) {
    case 0:
      return { kind: "random-bytes", body: bytes(rng, int(rng, 0, 4096)), contentType: pick(rng, [json, "application/octet-stream", "text/plain"]) };
    case 1: {
      const text = JSON.stringify(validEnvelope(rng, tenant, world));
      return { kind: "truncated-json", body: Buffer.from(text.slice(0, int(rng, 0, text.length - 1))), contentType: json };
    }
    case 2:
      return { kind: "deep-json", body: Buffer.from(deepJson(rng)), contentType: json };
    case 3:
      return {
        kind: "huge-json",
        body: asJson({ ...validEnvelope(rng, tenant, world), payload: { blob: "x".repeat(int(rng, 256 * 1024, 600 * 1024)) } }),
        contentType: json,
      };
    case 4: {
      const envelope = validEnvelope(rng, credential === Credential.otherTenantKey && chance(rng, 0.7) ? world.otherTenant : tenant, world);
      pick(rng, breakages)(envelope, rng);
      return { kind: "one-field-broken", body: asJson(envelope), contentType: json };
    }
    case 5: {
      const text = JSON.stringify(validEnvelope(rng, credential === Credential.otherTenantKey ? world.otherTenant : tenant, world));
      const polluted = pick(rng, [
        text.replace("{", '{"__proto__":{"tenant_id":"x"},'),
        text.replace('"payload":{}', '"payload":{"__proto__":{"admin":true}}'),
        text.replace('"payload":{}', '"payload":{"steps":{"ocr":{"constructor":{"prototype":{}}}}}'),
      ]);
      return { kind: "proto-keys", body: Buffer.from(polluted), contentType: json };
    }
    case 6:
      return { kind: "scalar-json", body: Buffer.from(pick(rng, ["null", "[]", '"str"', "0", "true", "{}", "", " ", "\u0000"])), contentType: json };
    case 7: {
      // A command this tenant could submit, with a content type the API does not take.
      const envelope = asJson(validEnvelope(rng, credential === Credential.otherTenantKey ? world.otherTenant : tenant, world));
      return {
        kind: "bad-content-type",
        body: envelope,
        contentType: pick(rng, [
          "text/plain",
          "application/json; charset=latin1",
          "application/xml",
          "multipart/form-data; boundary=",
          "x".repeat(int(rng, 100, 4000)),
        ]),
      };
    }
    case 8:
      return { kind: "no-content-type", body: asJson(validEnvelope(rng, tenant, world)) };
    case 9: {
      const text = JSON.stringify(validEnvelope(rng, tenant, world));
      return {
        kind: "invalid-utf8",
        body: Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
        contentType: "application/json; charset=utf-8",
      };
    }
    case 11: {
      // 1e400 parses to Infinity, which has no JSON form: canonical hashing once threw on it (500).
      const text = JSON.stringify({
        ...validEnvelope(rng, tenant, world),
        input_ref: { uri: "https://example.blob.core.windows.net/inputs/a.png", metadata: { n: 1 } },
      });
      return { kind: "number-out-of-range", body: Buffer.from(text.replace('"n":1', `"n":${pick(rng, ["1e400", "-1e400", "2e308"])}`)), contentType: json };
    }
    case 10:
      return {
        kind: "duplicate-keys",
        body: Buffer.from(`{"tenant_id":"${world.otherTenant}",${JSON.stringify(validEnvelope(rng, world.victimTenant, world)).slice(1)}`),
        contentType: json,
      };
    default:
      // A perfectly valid command: refused only because of who sends it.
      return { kind: "valid-command", body: asJson(validEnvelope(rng, tenant, world)), contentType: json };
  }
}

function credentialHeaders(rng: Rng, world: FuzzWorld, credential: Credential): Array<[string, string]> {
  switch (credential) {
    case Credential.none:
      return [];
    case Credential.wrongKey:
      return [
        [
          "x-api-key",
          pick(rng, [
            token(rng, 43),
            printable(rng, int(rng, 1, 200)),
            world.adminKeyHash,
            `${world.adminKey}x`,
            `x${world.adminKey}`,
            world.adminKey.slice(1),
            world.otherKey.slice(0, -1),
            `${world.otherKey},${world.adminKey}`,
          ]),
        ],
      ];
    case Credential.otherTenantKey:
      return [["x-api-key", world.otherKey], ...(chance(rng, 0.2) ? [forgedPrincipal(rng)] : [])];
    case Credential.forgedPrincipal:
      return [forgedPrincipal(rng)];
  }
}

/** A principal claiming every tenant: devhost must ignore it (nothing strips a client's copy here). */
function forgedPrincipal(rng: Rng): [string, string] {
  const principal = {
    auth_typ: "aad",
    role_typ: "roles",
    claims: [
      { typ: "roles", val: "Tenant.All" },
      { typ: "roles", val: "Tenant.victim" },
    ],
  };
  const value = pick(rng, [Buffer.from(JSON.stringify(principal)).toString("base64"), printable(rng, 50), ""]);
  return ["x-ms-client-principal", value];
}

function noiseHeaders(rng: Rng): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const count = chance(rng, 0.1) ? int(rng, 20, 60) : int(rng, 0, 6);
  for (let i = 0; i < count; i++) {
    const name = pick(rng, [
      "x-ms-client-principal-id",
      "x-ms-client-principal-name",
      "authorization",
      "x-functions-key",
      "x-forwarded-for",
      "x-original-url",
      "traceparent",
      "accept",
      "accept-encoding",
      `x-${token(rng, int(rng, 1, 20))}`,
    ]);
    const value = chance(rng, 0.05) ? printable(rng, int(rng, 2000, 8000)) : printable(rng, int(rng, 0, 60));
    headers.push([name, value]);
  }
  return headers;
}

/** Node refuses a request head over 16 KiB (431) before devhost sees it; the fuzz stays under it. */
const maxHeadBytes = 12 * 1024;

function headBytes(method: string, target: string, headers: Array<[string, string]>): number {
  return method.length + target.length + headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 64);
}

/** /health and the OpenAPI document answer GET to anyone; they are the routes the fuzz must not hit. */
function opensHealth(method: string, rawPath: string): boolean {
  const bare = rawPath.split("?")[0]!.replace(/\/+$/, "").toLowerCase();
  return (method === "GET" || method === "HEAD") && (bare === "/health" || bare === "" || bare === "/v1/openapi.json");
}

/** One refused-by-construction request. */
export function fuzzCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const credential = pick(rng, [Credential.none, Credential.wrongKey, Credential.otherTenantKey, Credential.otherTenantKey, Credential.forgedPrincipal]);
  const headers = [...credentialHeaders(rng, world, credential), ...noiseHeaders(rng)];
  const framingLie = chance(rng, 0.03);
  const commands = chance(rng, 0.45);
  let method = commands ? (chance(rng, 0.9) ? "POST" : pick(rng, methods)) : pick(rng, methods);
  let target = commands ? pick(rng, ["/v1/commands", "/v1/commands/", "/V1/Commands", "/v1/commands?tenant_id=x"]) : path(rng, world, credential);
  while (opensHealth(method, target)) [method, target] = [pick(rng, methods), path(rng, world, credential)];
  const sendsBody = commands || chance(rng, 0.3);
  const made = sendsBody ? body(rng, world, credential) : { kind: "no-body", body: Buffer.alloc(0) };
  if (made.contentType !== undefined) headers.unshift(["content-type", made.contentType]);
  if (target.length > maxHeadBytes / 2) target = target.slice(0, maxHeadBytes / 2);
  while (headBytes(method, target, headers) > maxHeadBytes) headers.pop(); // noise goes first: it is last
  const request: RawRequest = { method, path: target, headers, body: made.body };
  if (framingLie) {
    request.declaredLength = chance(rng, 0.5) ? made.body.length + int(rng, 1, 1000) : Math.max(0, made.body.length - int(rng, 1, 10));
    if (request.declaredLength === made.body.length) request.declaredLength += 1;
  }
  return {
    request,
    credential,
    kind: `${method} ${commands ? "commands" : "route"} ${made.kind}${framingLie ? " content-length-lie" : ""}`,
    framing: framingLie,
  };
}
