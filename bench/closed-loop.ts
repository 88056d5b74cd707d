/** Closed-loop load for the benchmarks: a fixed number of clients, each sending its next request when the last is answered. */

/** A positive integer command-line option `--name N`. */
export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** The p-th percentile of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LoopFigures {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `total` operations on `concurrency` loops: the rate, and the p50 and p99 latency in ms. */
export async function closedLoop(total: number, concurrency: number, operation: (n: number) => Promise<unknown>): Promise<LoopFigures> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < total; n = next++) {
        const start = performance.now();
        await operation(n);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Number(value.toFixed(1));
  return { perSecond: round(total / seconds), p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}
