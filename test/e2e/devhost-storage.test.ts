import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../devhost/azurite.js";
import { processAlive } from "../../devhost/process-identity.js";
import { eventually, fixtureFiles, fixtureHostJson, uniqueTaskHub } from "../fixtures/devhost-app/harness.js";
import { apiKeysSetting, newTestKey } from "../support/auth.js";
import { azuritePidsOn, storageLine } from "../support/azurite-processes.js";
import { spawnDevhost, type DevhostChild } from "../support/devhost-child.js";

/** devhost's own on-disk Azurite (no --azurite): what `npm start` runs, on a temporary folder and free ports. */
const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    const exit = exited(child);
    child.kill("SIGTERM");
    await exit;
  }
});
afterAll(async () => {
  for (const folder of folders) {
    await eventually(
      async () => azuritePidsOn(join(folder, "azurite")),
      (pids) => pids.length === 0,
      `no Azurite left on ${folder}`,
    );
    rmSync(folder, { recursive: true, force: true });
  }
});

function newFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "lucius-devhost-storage-"));
  folders.push(folder);
  return join(folder, "azurite");
}

const env = { ...process.env, LUCIUS_API_KEYS: apiKeysSetting([newTestKey("storage", ["*"])]) };

function startOn(location: string, taskHub: string, extra: string[] = [], options: { detached?: boolean } = {}): Promise<DevhostChild> {
  const args = ["--port", "0", "--azurite-location", location, ...extra, "--task-hub", taskHub, "--host-json", fixtureHostJson, "--quiet"];
  for (const file of fixtureFiles) args.push("--app", file);
  return spawnDevhost(args, { env, ...options, track: (child) => children.push(child) });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

function probeTable(tablePort: number): TableClient {
  const connection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${tablePort}/${AZURITE_ACCOUNT};`;
  return TableClient.fromConnectionString(connection, "restartprobe", { allowInsecureConnection: true });
}

describe("devhost's on-disk Azurite across restarts", () => {
  it("SIGKILL to devhost's whole process group: its Azurite (in a group of its own) flushes what it holds and ends; the next start reuses the folder and ports and reads it back", async () => {
    const location = newFolder();
    const taskHub = uniqueTaskHub();
    const first = await startOn(location, taskHub, ["--azurite-ports", "0"], { detached: true });
    const before = storageLine(first.output());
    expect(azuritePidsOn(location)).toEqual([before.pid]);
    // Written and killed at once: well inside Azurite's 5 s autosave interval, so only a flush at the end keeps them.
    const table = probeTable(before.ports.table);
    await table.createTable();
    for (let n = 0; n < 100; n++) await table.createEntity({ partitionKey: "p", rowKey: String(n).padStart(3, "0") });
    // As a closed terminal or `kill -9 -<pgid>` would: every process of devhost's group at once.
    const gone = exited(first.process);
    process.kill(-first.process.pid!, "SIGKILL");
    await gone;
    await eventually(
      async () => processAlive(before.pid),
      (alive) => !alive,
      `Azurite ${before.pid} to end after its devhost died`,
    );
    expect(azuritePidsOn(location)).toEqual([]);

    const second = await startOn(location, taskHub);
    const after = storageLine(second.output());
    expect(after.ports).toEqual(before.ports);
    const rows: string[] = [];
    for await (const entity of probeTable(after.ports.table).listEntities()) rows.push(entity.rowKey!);
    expect(rows).toHaveLength(100);

    second.process.kill("SIGTERM");
    expect(await exited(second.process)).toBe(0);
    // devhost exits only after its Azurite has: nothing is left, and the lock is released.
    expect(processAlive(after.pid)).toBe(false);
    expect(azuritePidsOn(location)).toEqual([]);
    expect(existsSync(`${location}.lock`)).toBe(false);
  }, 90_000);

  it("two devhosts started at once on one folder: one serves, the other refuses, never two Azurites; a third start is refused too", async () => {
    const location = newFolder();
    const starts = await Promise.allSettled([0, 1].map(() => startOn(location, uniqueTaskHub(), ["--azurite-ports", "0"])));
    const served = starts.filter((s): s is PromiseFulfilledResult<DevhostChild> => s.status === "fulfilled");
    const refused = starts.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(served).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason)).toMatch(/is in use: devhost \(pid \d+\) runs Azurite/);
    const winner = served[0]!.value;
    expect(azuritePidsOn(location)).toEqual([storageLine(winner.output()).pid]);

    await expect(startOn(location, uniqueTaskHub())).rejects.toThrow(/is in use: devhost \(pid \d+\) runs Azurite \(pid \d+\)/);
    expect(azuritePidsOn(location)).toEqual([storageLine(winner.output()).pid]);
  }, 90_000);
});
