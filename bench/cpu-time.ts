import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU time in these ticks, 100 per second on every mainstream kernel build. */
const ticksPerSecond = 100;

/** CPU time (user + system) in ms used so far by this process, or by process `pid` when given (read from /proc; undefined where there is none). */
export function cpuMs(pid?: number): number | undefined {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  try {
    // Fields after the command name (which may hold spaces, hence after its closing parenthesis): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring the CPU of process `pid` (this process when undefined). The function returned
 * gives the ms it used since, divided by `count` operations; undefined where /proc has no such process.
 */
export function cpuMeter(pid?: number): (count: number) => number | undefined {
  const start = cpuMs(pid);
  return (count) => {
    const end = cpuMs(pid);
    return start === undefined || end === undefined ? undefined : (end - start) / count;
  };
}

/**
 * The CPU cores that `perSecond` operations a second keep busy at `cpuMsPerOperation` each.
 * Above the machine's core count that rate cannot be reached by using the cores better: only
 * with less CPU per operation.
 */
export function coresAtRate(cpuMsPerOperation: number, perSecond: number): number {
  return (cpuMsPerOperation * perSecond) / 1000;
}
