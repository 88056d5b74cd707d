import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { readDevhostApiKey } from "../../devhost/dev-api-key.js";
import { packageRoot } from "../../lib/paths.js";
import { principalHeader } from "../support/auth.js";
import { startLucius, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { azuriteConnectionString } from "../support/storage.js";
import { spawnDevhost } from "../support/devhost-child.js";

describe("the API under devhost, over HTTP", () => {
  let lucius: LuciusUnderTest;
  beforeAll(async () => {
    lucius = await startLucius();
  });
  afterAll(() => lucius?.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${lucius.url}${path}`, { headers });

  it("keeps /health and /v1/openapi.json open and asks for a credential everywhere else", async () => {
    expect((await get("/health")).status).toBe(200);
    expect((await get("/v1/openapi.json")).status).toBe(200);
    for (const path of ["/ready", "/v1/protocols", "/v1/jobs?tenant_id=t", "/v1/jobs/some-job"]) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toBe('ApiKey realm="lucius", header="x-api-key"');
      expect((await get(path, { "x-api-key": lucius.apiKey })).status).not.toBe(401);
    }
  });

  it("ignores a forged x-ms-client-principal: nothing strips a client's copy here", async () => {
    const forged = principalHeader([{ typ: "roles", val: "Tenant.All" }]);
    const response = await get("/v1/jobs?tenant_id=t", forged);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/needs a credential/);
  });
});

describe("npm start with no API keys configured", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  /** devhost's main as `npm start` runs it, from a folder with no local.settings.json; resolves its printed key and URL. */
  async function start(): Promise<{ key: string; url: string; output: string; stop: () => Promise<void> }> {
    const env = { ...process.env };
    delete env.LUCIUS_API_KEYS;
    const args = ["--port", "0", "--azurite", azuriteConnectionString(), "--task-hub", `key${Date.now()}`];
    args.push("--host-json", join(packageRoot, "host.json"), "--app", packageMainFiles(packageRoot).join(","), "--quiet");
    const started = await spawnDevhost(args, { cwd: mkdtempSync(join(tmpdir(), "lucius-start-")), env, track: (c) => children.push(c) });
    const { process: child, url } = started;
    const output = started.output();
    const key = /\[devhost\] {3}(\S+)/.exec(output)?.[1];
    if (!key) throw new Error(`no key printed:\n${output}`);
    const stop = () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    return { key, url, output, stop };
  }

  it("prints the key kept in .devhost/api-key; it opens every tenant, and the next start prints the same key", async () => {
    const first = await start();
    expect(first.output).toMatch(/API key for every tenant .*\.devhost[/\\]api-key/);
    expect(first.key).toBe(readDevhostApiKey(packageRoot));
    for (const tenant of ["tenant-a", "any-other"]) {
      expect((await fetch(`${first.url}/v1/jobs?tenant_id=${tenant}`, { headers: { "x-api-key": first.key } })).status).toBe(200);
    }
    expect((await fetch(`${first.url}/v1/jobs?tenant_id=tenant-a`)).status).toBe(401);
    await first.stop();
    const second = await start();
    await second.stop();
    expect(second.key).toBe(first.key);
    expect(second.output).toMatch(/API key for every tenant \(from /);
  }, 120_000);
});
