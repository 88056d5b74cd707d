import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Whether a process with this id exists (one we may not signal still exists). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A process's command line as its arguments (`/proc` on Linux, `ps` elsewhere, where arguments
 * with spaces cannot be told apart, so the whole line is one element); undefined when the process
 * is gone or cannot be read.
 */
export function commandLine(pid: number): string[] | undefined {
  if (!processAlive(pid)) return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw.split("\0").filter((arg) => arg !== "");
  } catch {
    // No /proc (macOS): fall through to ps.
  }
  try {
    const line = execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return line === "" ? undefined : [line];
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs the script `bin` with `flag value` among its arguments. */
export function runsWith(pid: number, bin: string, flag: string, value: string): boolean {
  const args = commandLine(pid);
  if (!args) return false;
  if (args.length === 1) return args[0]!.includes(bin) && args[0]!.includes(`${flag} ${value}`);
  const at = args.indexOf(flag);
  return args.includes(bin) && at >= 0 && args[at + 1] === value;
}
