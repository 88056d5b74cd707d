import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../lib/paths.js";

/** The peer the pipeline benchmark is compared with: Restate running the same 3-step shape, kept beside the project. */
export const peerScript = join(packageRoot, "..", "shared", "peer", "restate", "run.sh");

export interface PeerFigures {
  /** `pipeline3calls` (three durable calls to another service) at 50 in flight. */
  jobsPerS: number;
  /** `pipeline3calls` one at a time. */
  seqP50Ms: number;
}

/** Runs the peer's own script (it prints one JSON line last); undefined, said so, when the shared folder is missing. */
export async function runPeer(): Promise<PeerFigures | undefined> {
  if (!existsSync(peerScript)) {
    console.log("peer skipped: ../shared/peer/restate/run.sh is missing");
    return undefined;
  }
  const child = spawn("bash", [peerScript, "peer"], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let last = "";
  for await (const line of createInterface({ input: child.stdout })) {
    console.log(`peer: ${line}`);
    if (line.trim() !== "") last = line;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`the peer's run.sh exited ${code}`);
  const figures = JSON.parse(last) as Record<string, unknown>;
  const figure = (key: string) => {
    const value = figures[key];
    if (typeof value !== "number") throw new Error(`the peer's JSON has no ${key}: ${last}`);
    return value;
  };
  return { jobsPerS: figure("pipeline3calls_c50_per_s"), seqP50Ms: figure("pipeline3calls_seq_p50_ms") };
}
