/**
 * devhost Durable engine benchmark (`npm run bench:devhost`): runs the fixture
 * app in-process on its own in-memory Azurite and prints throughput and latency.
 * The last line is one JSON object with every figure.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { startDevHost, type DevHost } from "../devhost/host.js";
import { packageRoot } from "../lib/paths.js";
import { percentile } from "./closed-loop.js";

const fixture = join(packageRoot, "test", "fixtures", "devhost-app");
const sequentialActivities = 200;
const fanOutActivities = 200;
const orchestrations = 300;
const inFlight = 50;

async function startOrchestration(host: DevHost, name: string, input: unknown): Promise<string> {
  const res = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": host.key },
    body: JSON.stringify(input),
  });
  if (res.status !== 202) throw new Error(`start ${name}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Milliseconds from the start request until the engine reports the instance finished. */
async function run(host: DevHost, name: string, input: unknown): Promise<number> {
  const began = performance.now();
  const id = await startOrchestration(host, name, input);
  const state = await host.durable.whenFinished(id);
  if (state.runtimeStatus !== "Completed") throw new Error(`${name} ${id} ended ${state.runtimeStatus}: ${state.output}`);
  return performance.now() - began;
}

async function main(): Promise<void> {
  const host = await startDevHost({
    appFiles: ["activities.js", "orchestrations.js"].map((f) => join(fixture, f)),
    port: 0,
    azurite: "memory",
    taskHub: "bench",
    hostJsonPath: join(fixture, "host.json"),
    logLevel: "error",
    durable: { maxConcurrentOrchestrations: 16, maxConcurrentActivities: 16 },
  });
  try {
    // Time spent inside the activity itself, to separate the engine's overhead.
    const square = host.app.functions.get("square")!;
    const inner = square.handler;
    let activityMs = 0;
    square.handler = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await inner(...args);
      } finally {
        activityMs += performance.now() - t;
      }
    };

    await run(host, "sequenceOrchestration", { count: 5 }); // warm-up

    activityMs = 0;
    const seqMs = await run(host, "sequenceOrchestration", { count: sequentialActivities });
    const seqActivitiesPerS = (sequentialActivities / seqMs) * 1000;
    const overheadPerActivity = (seqMs - activityMs) / sequentialActivities;
    console.log(`sequential: ${sequentialActivities} activities in one instance: ${seqMs.toFixed(0)} ms → ${seqActivitiesPerS.toFixed(1)} activities/s`);
    console.log(`overhead per activity (sequential, excluding the activity's own time): ${overheadPerActivity.toFixed(2)} ms`);

    const fanMs = await run(host, "fanOutOrchestration", { count: fanOutActivities });
    const fanActivitiesPerS = (fanOutActivities / fanMs) * 1000;
    console.log(`fan-out: ${fanOutActivities} activities: ${fanMs.toFixed(0)} ms → ${fanActivitiesPerS.toFixed(1)} activities/s`);

    const latencies: number[] = [];
    let next = 0;
    const began = performance.now();
    const worker = async () => {
      while (next < orchestrations) {
        next++;
        latencies.push(await run(host, "sequenceOrchestration", { count: 3 }));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const totalMs = performance.now() - began;
    const orchestrationsPerS = (orchestrations / totalMs) * 1000;
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `3-activity orchestrations, ${inFlight} in flight: ${orchestrations} in ${totalMs.toFixed(0)} ms → ${orchestrationsPerS.toFixed(1)} orchestrations/s`,
    );
    console.log(`start-to-complete latency: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
    const round = (n: number) => Math.round(n * 100) / 100;
    console.log(
      JSON.stringify({
        seq_activities_per_s: round(seqActivitiesPerS),
        fanout_activities_per_s: round(fanActivitiesPerS),
        orchestrations_per_s: round(orchestrationsPerS),
        p50_ms: round(p50),
        p99_ms: round(p99),
        overhead_per_activity_ms: round(overheadPerActivity),
      }),
    );
  } finally {
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
