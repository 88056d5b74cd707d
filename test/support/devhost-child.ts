import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readyMarker } from "../../devhost/cli-args.js";
import { packageRoot } from "../../lib/paths.js";

export const devhostMain = join(packageRoot, "dist", "devhost", "main.js");

export interface DevhostChild {
  process: ChildProcess;
  url: string;
  /** Everything the child printed so far (stdout and stderr). */
  output: () => string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Its own process group (the child leads it), so a test can signal the group as a terminal would. */
  detached?: boolean;
  /** Called with the child as soon as it exists, so a test can kill it even if it never gets ready. */
  track?: (child: ChildProcess) => void;
}

/** Runs devhost's main (as `npm start` does) with `args`, and resolves once it prints its ready line. */
export async function spawnDevhost(args: string[], { track, ...options }: SpawnOptions = {}): Promise<DevhostChild> {
  if (!existsSync(devhostMain)) throw new Error(`${devhostMain} is missing: build first (npm run build)`);
  const child = spawn(process.execPath, [devhostMain, ...args], { stdio: ["ignore", "pipe", "pipe"], ...options });
  track?.(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith(readyMarker));
      if (line) resolve((JSON.parse(line.slice(readyMarker.length)) as { url: string }).url);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`devhost exited (${code ?? signal}) before ready:\n${output}`)));
  });
  return { process: child, url, output: () => output };
}
