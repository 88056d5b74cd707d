import { describe, expect, it } from "vitest";
import { coresAtRate, cpuMeter } from "../../bench/cpu-time.js";

describe("the benchmarks' CPU figures", () => {
  it("counts the cores a rate keeps busy at a cost per operation", () => {
    // 94.6 ms a job at 23.94 jobs/s (a fifth of 119.7) is 2.26 cores: more than a 2-core machine has.
    expect(coresAtRate(94.6, 0.2 * 119.7)).toBeCloseTo(2.2647, 4);
    expect(coresAtRate(50, 20)).toBe(1);
    expect(coresAtRate(0, 100)).toBe(0);
  });

  it("measures this process's CPU per operation, and none for a process that is not there", () => {
    const meter = cpuMeter();
    for (const start = Date.now(); Date.now() - start < 30;);
    // A busy machine may take the core away for much of the 30 ms: only that some CPU was counted is certain.
    expect(meter(3)).toBeGreaterThan(0);
    expect(cpuMeter(2 ** 22 + 12345)(1)).toBeUndefined();
  });
});
