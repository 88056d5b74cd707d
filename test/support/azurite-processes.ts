import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { azuriteBin } from "../../devhost/azurite.js";
import { runsWith } from "../../devhost/process-identity.js";

/** Every live Azurite process (devhost's, by its command line) whose data folder is `location`. */
export function azuritePidsOn(location: string): number[] {
  const pids = existsSync("/proc")
    ? readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
    : execFileSync("ps", ["-A", "-o", "pid="], { encoding: "utf8" })
        .split("\n")
        .map((line) => Number(line.trim()))
        .filter((pid) => pid > 0);
  return pids.filter((pid) => runsWith(pid, azuriteBin, "--location", location));
}

/** What devhost's `storage:` line says about the Azurite it started. */
export interface StorageLine {
  pid: number;
  ports: { blob: number; queue: number; table: number };
}

export function storageLine(output: string): StorageLine {
  const match = /storage: Azurite \(pid (\d+)\) on blob (\d+), queue (\d+), table (\d+)/.exec(output);
  if (!match) throw new Error(`devhost printed no storage line:\n${output}`);
  const [pid, blob, queue, table] = match.slice(1).map(Number) as [number, number, number, number];
  return { pid, ports: { blob, queue, table } };
}
