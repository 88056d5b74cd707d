import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/storage.js";
import { useFixtureHost } from "../fixtures/devhost-app/harness.js";

const fixture = useFixtureHost("silent");

describe("devhost HTTP triggers", () => {
  it("gives the app its environment", () => {
    expect(fixture.host.env.AzureWebJobsStorage).toBe(azuriteConnectionString());
    expect(fixture.host.env.LUCIUS_BUS_MODE).toBe("devhost");
    expect(fixture.host.env.LUCIUS_DEVHOST_URL).toBe(fixture.host.url);
    expect(process.env.LUCIUS_DEVHOST_URL).toBe(fixture.host.url);
  });

  it("serves routes under host.json's routePrefix, literal segments before parameters", async () => {
    const search = await fetch(`${fixture.host.url}/api/items/search?q=lamp`);
    expect(await search.json()).toEqual({ kind: "search", q: "lamp" });
    const byId = await fetch(`${fixture.host.url}/api/items/42`);
    expect(await byId.json()).toEqual({ kind: "byId", id: "42" });
    expect((await fetch(`${fixture.host.url}/items/search`)).status).toBe(404);
  });

  it("applies constraints and defaults", async () => {
    expect(await (await fetch(`${fixture.host.url}/api/numbers/5`)).json()).toEqual({ n: 5, unit: "meters" });
    expect(await (await fetch(`${fixture.host.url}/api/numbers/5/feet`)).json()).toEqual({ n: 5, unit: "feet" });
    expect((await fetch(`${fixture.host.url}/api/numbers/five`)).status).toBe(404);
  });

  it("passes the body, headers and method, and returns jsonBody", async () => {
    const res = await fetch(`${fixture.host.url}/api/echo`, { method: "PUT", body: "hello", headers: { "x-test": "yes" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ method: "PUT", body: "hello", fn: "echoBody", header: "yes" });
  });

  it("returns status, headers, cookies and a string body; catch-all routes get the rest of the path", async () => {
    const res = await fetch(`${fixture.host.url}/api/files/a/b/c.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-path")).toBe("a/b/c.txt");
    expect(res.headers.get("set-cookie")).toContain("seen=yes");
    expect(await res.text()).toBe("file a/b/c.txt");
  });

  it("answers 404 for no route, 405 with Allow for a wrong method, 500 problem+json when the handler throws", async () => {
    const missing = await fetch(`${fixture.host.url}/api/nothing/here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    const wrong = await fetch(`${fixture.host.url}/api/echo`, { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST, PUT");
    const boom = await fetch(`${fixture.host.url}/api/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get("content-type")).toBe("application/problem+json");
    expect(await boom.json()).toMatchObject({ status: 500, detail: expect.stringContaining("kaboom") });
  });
});
