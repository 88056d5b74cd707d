import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevhostStateFile } from "../../devhost/state-files.js";
import { sendRaw } from "../support/raw-http.js";
import { startCliDevhost, type CliDevhost } from "./cli-harness.js";

// devhost as `npm start` runs it (the app, its own Azurite, a state folder), probed as a web page
// or another local user would: no key, a wrong key, a foreign Host, a cross-origin content type.
let dh: CliDevhost;
let stateDir: string;
beforeAll(async () => {
  dh = await startCliDevhost({ workers: false });
  stateDir = dh.stateDir;
}, 60_000);
afterAll(() => dh?.stop());

const internal: Array<[string, string]> = [
  ["GET", "/runtime/webhooks/durabletask/instances"],
  ["GET", "/runtime/webhooks/durabletask/instances/some-job?showHistory=true"],
  ["POST", "/runtime/webhooks/durabletask/instances/some-job/terminate?reason=x"],
  ["POST", "/runtime/webhooks/durabletask/orchestrators/jobOrchestrator"],
  ["DELETE", "/runtime/webhooks/durabletask/instances"],
  ["GET", "/_devhost/storage"],
  ["GET", "/_devhost/metrics"],
  ["GET", "/_devhost/traces"],
  ["GET", "/_devhost/servicebus/topics"],
  ["POST", "/_devhost/servicebus/topics/replies/messages"],
  ["POST", "/_devhost/servicebus/faults"],
  ["DELETE", "/_devhost/servicebus/topics/replies/subscriptions/orchestrator/deadletters"],
  ["GET", "/_devhost/no-such-route"],
];

const faults = async () =>
  ((await (await fetch(`${dh.host.url}/_devhost/servicebus/faults`, { headers: { "x-functions-key": dh.host.key } })).json()) as { faults: unknown[] }).faults;

describe("devhost's internals are behind devhost's key", () => {
  it.each(internal)("%s %s answers 401 problem+json without the key, and with a wrong one", async (method, path) => {
    const sameLengthWrongKey = dh.host.key.slice(0, -1) + (dh.host.key.endsWith("A") ? "B" : "A");
    const wrongKeys = [`${dh.host.key}x`, dh.host.key.slice(1), sameLengthWrongKey];
    for (const headers of [{}, ...wrongKeys.map((key) => ({ "x-functions-key": key }))] as Array<Record<string, string>>) {
      const response = await fetch(`${dh.host.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const wrongCode = await fetch(`${dh.host.url}${path}${path.includes("?") ? "&" : "?"}code=nope`, { method });
    expect(wrongCode.status).toBe(401);
    expect(await faults()).toEqual([]);
  });

  it("opens with the key as x-functions-key or ?code=, the way the Functions host takes a system key", async () => {
    expect((await fetch(`${dh.host.url}/runtime/webhooks/durabletask/instances`, { headers: { "x-functions-key": dh.host.key } })).status).toBe(200);
    expect((await fetch(`${dh.host.url}/_devhost/metrics?code=${encodeURIComponent(dh.host.key)}`)).status).toBe(200);
    expect((await fetch(`${dh.host.url}/_devhost/no-such-route`, { headers: { "x-functions-key": dh.host.key } })).status).toBe(404);
  });

  it("refuses a state-changing request whose body is not application/json (a cross-origin form or text/plain POST)", async () => {
    for (const contentType of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await fetch(`${dh.host.url}/_devhost/servicebus/faults`, {
        method: "POST",
        headers: { "content-type": contentType, "x-functions-key": dh.host.key },
        body: JSON.stringify({ topic: "directives", status: 503, count: 1 }),
      });
      expect(response.status).toBe(415);
    }
    expect(await faults()).toEqual([]);
  });

  it("refuses every request whose Host is not a loopback name, app routes included, key or not", async () => {
    const hosts = ["evil.example", "evil.example:7071", "127.0.0.1.nip.io", "localhost.evil.example", "user@127.0.0.1", "10.0.0.5", "[::2]", ""];
    for (const host of hosts) {
      for (const path of ["/health", "/v1/jobs?tenant_id=x", "/_devhost/servicebus/topics", "/runtime/webhooks/durabletask/instances"]) {
        const response = await sendRaw(
          dh.host.port,
          {
            method: "GET",
            path,
            host,
            headers: [
              ["x-functions-key", dh.host.key],
              ["x-api-key", dh.key],
            ],
            body: Buffer.alloc(0),
          },
          10_000,
        );
        expect(response.status, `${host} ${path}`).toBe(400);
        expect(response.body.toString()).toContain("Invalid Host");
      }
    }
    for (const host of ["localhost", "LOCALHOST:1234", "127.0.0.1", "127.1.2.3:80", "[::1]", "[::1]:7071"]) {
      expect((await sendRaw(dh.host.port, { method: "GET", path: "/health", host, headers: [], body: Buffer.alloc(0) }, 10_000)).status, host).toBe(200);
    }
  });

  it("serves the account key on no route: the CLI reads the connection from an owner-only file instead", async () => {
    const accountKey = /AccountKey=([^;]+)/.exec(dh.host.connectionString)![1]!;
    expect((await fetch(`${dh.host.url}/_devhost/storage`, { headers: { "x-functions-key": dh.host.key } })).status).toBe(404);
    for (const [method, path] of internal.filter(([m]) => m === "GET")) {
      const response = await fetch(`${dh.host.url}${path}`, { method, headers: { "x-functions-key": dh.host.key } });
      expect(await response.text()).not.toContain(accountKey);
    }
    for (const file of [DevhostStateFile.hostKey, DevhostStateFile.storage]) expect(statSync(join(stateDir, file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(stateDir, DevhostStateFile.storage), "utf8"))).toEqual({
      url: dh.host.url,
      connectionString: dh.host.connectionString,
    });
    expect(readFileSync(join(stateDir, DevhostStateFile.hostKey), "utf8").trim()).toBe(dh.host.key);
  });

  it("answers a declared body past the limit, or one without the key, before reading a byte of it", async () => {
    // The client sends only the head and keeps the connection open: an answer proves nothing waited for the body.
    const promise = (path: string, declaredLength: number, headers: Array<[string, string]> = []) =>
      sendRaw(
        dh.host.port,
        { method: "POST", path, headers: [["content-type", "application/json"], ...headers], body: Buffer.alloc(0), declaredLength, holdOpen: true },
        10_000,
      );
    expect((await promise("/v1/commands", 200 * 1024 * 1024, [["x-api-key", dh.key]])).status).toBe(413);
    expect((await promise("/_devhost/servicebus/topics/replies/messages", 1024 * 1024)).status).toBe(401);
    expect((await promise("/runtime/webhooks/durabletask/orchestrators/jobOrchestrator", 1024 * 1024)).status).toBe(401);
  });

  it("answers a broken percent-escape in an admin path with 400, not 500", async () => {
    for (const path of [
      "/_devhost/servicebus/topics/%E0%A4%A",
      "/_devhost/servicebus/topics/replies/subscriptions/%ZZ",
      "/runtime/webhooks/durabletask/instances/%",
    ]) {
      const response = await sendRaw(dh.host.port, { method: "GET", path, headers: [["x-functions-key", dh.host.key]], body: Buffer.alloc(0) }, 10_000);
      expect(response.status, path).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
