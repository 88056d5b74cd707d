/**
 * Where a benchmark's CPU went (`node dist/bench/cpu-profile.js <file.cpuprofile>`), from a
 * profile taken with `node --cpu-prof`: each sample goes to the first part it meets walking
 * from the running function up its stack (so the SDK's own calls into Node's HTTP client
 * count as storage requests), then the top functions by self time. Idle time is left out.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Profile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** The parts of a pipeline run, first match wins; the order puts the narrower ones first. */
const parts: Array<[string, (frame: CallFrame) => boolean]> = [
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["JSON.parse / JSON.stringify", (f) => !f.url && /^(parse|stringify)$/.test(f.functionName)],
  ["JSON schema validation (ajv)", (f) => /node_modules\/ajv/.test(f.url)],
  ["module loading (start-up)", (f) => /node:internal\/modules/.test(f.url)],
  ["benchmark driver", (f) => /\/dist\/bench\//.test(f.url)],
  [
    "storage requests: Azure SDK client (build, sign, serialise, send, parse)",
    (f) => /node_modules\/(@azure\/(data-tables|core-[a-z-]+|abort-controller|logger)|@typespec)\//.test(f.url),
  ],
  ["loopback hop: Durable client (axios to devhost's webhooks)", (f) => /node_modules\/axios\/|durable-functions\/lib\/src\/durableClient\//.test(f.url)],
  ["HTTP trigger request and response objects (@azure/functions builds undici's Request and Response)", (f) => /node:internal\/deps\/undici/.test(f.url)],
  ["loopback hop: message settlement over gRPC (@grpc, http2)", (f) => /node_modules\/@grpc\/|node:internal\/http2/.test(f.url)],
  ["loopback hop: devhost's HTTP server side", (f) => /node:_http_server|\/dist\/devhost\/http\//.test(f.url)],
  ["telemetry (OpenTelemetry)", (f) => /node_modules\/@opentelemetry\//.test(f.url)],
  ["Durable replay (durable-functions SDK)", (f) => /node_modules\/durable-functions\//.test(f.url)],
  ["devhost Durable engine (history, episodes, dispatch)", (f) => /\/dist\/devhost\/durable\//.test(f.url)],
  ["devhost Service Bus emulator", (f) => /\/dist\/devhost\/servicebus\//.test(f.url)],
  ["ledger (lib/ledger)", (f) => /\/dist\/lib\/ledger\//.test(f.url)],
  ["Functions worker shim (@azure/functions, devhost invocation)", (f) => /node_modules\/@azure\/functions\/|\/dist\/devhost\//.test(f.url)],
  ["app code (lib, functions, orchestrations)", (f) => /\/dist\/(lib|functions|orchestrations)\//.test(f.url)],
  ["scripted worker", (f) => /scripted-worker/.test(f.url)],
];

const short = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"} ${f.url.replace(/.*node_modules\//, "").replace(/.*\/dist\//, "dist/")}:${f.lineNumber + 1}`;
/** Native frames without a JS caller (socket writes flushed on a later tick, microtask runs) are named as themselves. */
const unclaimed = (f: CallFrame) => `not attributed: ${f.url ? f.url.split("/").slice(0, 2).join("/") : f.functionName}`;

function summarise(profile: Profile): { busyMs: number; byPart: Array<[string, number]>; bySelf: Array<[string, number]> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byPart = new Map<string, number>();
  const bySelf = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const leaf = nodes.get(id)!.callFrame;
    if (leaf.functionName === "(idle)") continue;
    busyMs += ms;
    let part: string | undefined;
    for (let n: number | undefined = id; n !== undefined && part === undefined; n = parent.get(n)) {
      const frame = nodes.get(n)!.callFrame;
      part = parts.find(([, matches]) => matches(frame))?.[0];
    }
    part ??= unclaimed(leaf);
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
    bySelf.set(short(leaf), (bySelf.get(short(leaf)) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs, byPart: sorted(byPart), bySelf: sorted(bySelf) };
}

const file = process.argv[2];
if (!file) throw new Error("usage: node dist/bench/cpu-profile.js <file.cpuprofile>");
const { busyMs, byPart, bySelf } = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile);
const line = ([name, ms]: [string, number]) => `${((ms / busyMs) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`;
console.log(`busy (not idle): ${busyMs.toFixed(0)} ms\n\nby part:`);
for (const entry of byPart.filter(([, ms]) => ms / busyMs >= 0.002)) console.log(line(entry));
console.log("\ntop functions by self time:");
for (const entry of bySelf.slice(0, 25)) console.log(line(entry));
