import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, describe, expect, it } from "vitest";
import { startAzurite } from "../../devhost/azurite.js";
import { startFolderAzurite } from "../../devhost/azurite-folder.js";
import { AzuriteFolderBusyError, lockAzuriteFolder, type LockRecord } from "../../devhost/azurite-lock.js";
import { processAlive } from "../../devhost/process-identity.js";
import { azuritePidsOn } from "../support/azurite-processes.js";

const root = mkdtempSync(join(tmpdir(), "lucius-azurite-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const newLocation = () => join(root, `azurite-${++folders}`);

/** The id of a process that has ended. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid;
  expect(processAlive(pid)).toBe(false);
  return pid;
}

function writeLock(location: string, record: Partial<LockRecord>): void {
  writeFileSync(`${location}.lock`, JSON.stringify({ location, token: "left-behind", since: new Date(0).toISOString(), ...record }));
}

const freePorts = { blob: 0, queue: 0, table: 0 };

describe("the folder lock of devhost's on-disk Azurite", () => {
  it("breaks a lock whose devhost and Azurite are gone, and records its own owner and Azurite until stopped", async () => {
    const location = newLocation();
    writeLock(location, { devhost_pid: deadPid(), azurite_pid: deadPid() });
    const azurite = await startFolderAzurite({ location, ports: freePorts });
    const held = JSON.parse(readFileSync(`${location}.lock`, "utf8")) as LockRecord;
    expect(held).toMatchObject({ devhost_pid: process.pid, azurite_pid: azurite.pid, location });
    expect(held.token).not.toBe("left-behind");
    await azurite.stop();
    expect(() => readFileSync(`${location}.lock`)).toThrow(/ENOENT/);
    expect(processAlive(azurite.pid)).toBe(false);
  });

  it("treats a recorded Azurite pid that now names another program as stale (pid reuse)", async () => {
    const location = newLocation();
    writeLock(location, { devhost_pid: deadPid(), azurite_pid: process.pid });
    const lock = await lockAzuriteFolder(location);
    lock.release();
  });

  it("refuses a second start on a folder whose owner lives, and leaves the running Azurite alone", async () => {
    const location = newLocation();
    const azurite = await startFolderAzurite({ location, ports: freePorts });
    try {
      await expect(startFolderAzurite({ location, ports: freePorts })).rejects.toThrow(AzuriteFolderBusyError);
      expect(azuritePidsOn(location)).toEqual([azurite.pid]);
    } finally {
      await azurite.stop();
    }
  });

  it("waits for the Azurite of a devhost that died, stops it with SIGTERM if it lingers, and takes the folder once it has flushed and ended", async () => {
    const location = newLocation();
    // An Azurite on the folder whose devhost is gone; it lingers (its watchdog watches this test process).
    const lingering = await startAzurite({ location, ports: freePorts });
    const connection = lingering.connectionString;
    const table = TableClient.fromConnectionString(connection, "lingering", { allowInsecureConnection: true });
    await table.createTable();
    for (let n = 0; n < 20; n++) await table.createEntity({ partitionKey: "p", rowKey: String(n).padStart(2, "0") });
    writeLock(location, { devhost_pid: deadPid(), azurite_pid: lingering.pid });
    let ended = false;
    void lingering.exited.then(() => (ended = true));

    const lock = await lockAzuriteFolder(location, { waitMs: 300 });
    expect(ended).toBe(true);
    lock.release();
    const next = await startFolderAzurite({ location, ports: freePorts });
    try {
      const again = TableClient.fromConnectionString(next.connectionString, "lingering", { allowInsecureConnection: true });
      let rows = 0;
      for await (const _ of again.listEntities()) rows++;
      expect(rows).toBe(20);
    } finally {
      await next.stop();
    }
  });
});
