import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";

const run = promisify(execFile);

/** The figures every run prints, besides the peer's. */
const fields = [
  "jobs_per_s",
  "p50_ms",
  "p99_ms",
  "seq_p50_ms",
  "overhead_per_step_ms",
  "ledger_requests_per_job",
  "bus_requests_per_job",
  "history_requests_per_job",
  "storage_requests_per_job",
  "bus_messages_per_job",
  "history_events_per_job",
  "devhost_loop_busy_pct",
  "azurite_core_busy_pct",
  "cores_used",
];

describe("npm run bench:pipeline, run small", () => {
  it("ends with one JSON line of every figure, requests counted by kind and adding up", async () => {
    const { stdout } = await run(
      process.execPath,
      [join(packageRoot, "dist/bench/pipeline.js"), "--jobs", "20", "--seq", "5", "--in-flight", "10", "--warmup", "2"],
      {
        cwd: packageRoot,
        timeout: 240_000,
      },
    );
    const figures = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    for (const field of fields) expect(figures[field], field).toBeGreaterThan(0);
    expect(figures).toMatchObject({ jobs: 20, in_flight: 10, seq_jobs: 5 });
    expect(figures.p99_ms).toBeGreaterThanOrEqual(figures.p50_ms!);
    // A percentage of the run, not a fraction of it.
    expect(figures.devhost_loop_busy_pct).toBeGreaterThan(1);
    expect(figures.devhost_loop_busy_pct).toBeLessThanOrEqual(100);
    const kinds =
      figures.ledger_requests_per_job! + figures.bus_requests_per_job! + figures.history_requests_per_job! + figures.other_storage_requests_per_job!;
    expect(figures.storage_requests_per_job).toBeCloseTo(kinds, 1);
    // The cores both processes kept busy are their CPU per job at the run's rate.
    const cpuPerJob = figures.devhost_cpu_ms_per_job! + figures.azurite_cpu_ms_per_job!;
    expect(figures.cores_used).toBeCloseTo((cpuPerJob * figures.jobs_per_s!) / 1000, 1);
    // Each of the 3 steps is one directive answered by an ACK and a RESULT.
    expect(figures.bus_messages_per_job).toBeGreaterThanOrEqual(9);
    // Without --peer nothing is compared.
    expect(figures).not.toHaveProperty("ratio");
  }, 300_000);
});
