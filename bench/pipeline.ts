/**
 * Pipeline benchmark (`npm run bench:pipeline`): 3-step jobs (OCR->EMBEDDING->SIS)
 * submitted over HTTP to the app under devhost, run in this process as `npm start`
 * runs it (the app, devhost's Durable engine and Service Bus, an in-memory
 * Azurite), with the scripted test worker answering every directive at once (ACK,
 * then a SUCCEEDED RESULT). Measured: `--jobs` jobs with `--in-flight` at a time
 * (rate, p50 and p99 from submit to the job's end), then `--seq` jobs one at a time.
 * During the loaded run every storage request is counted by kind (ledger, bus,
 * Durable history; see storage-requests.ts), with bus messages and, read after the
 * run, history events per job. With `--peer`, Restate runs the same shape
 * afterwards (peer.ts) and the ratio is taken. The last line is one JSON object.
 *
 * Options: --jobs N (200), --in-flight N (50), --seq N (50), --warmup N (20), --peer.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { cpus } from "node:os";
import { join } from "node:path";
import { startDevHost, type DevHost } from "../devhost/host.js";
import { defaultComponents } from "../devhost/default-components.js";
import { packageMainFiles } from "../devhost/cli-args.js";
import { devhostApiKeysSetting } from "../devhost/dev-api-key.js";
import type { ServiceBusHostComponent } from "../devhost/servicebus/index.js";
import { tableNames } from "../lib/config/settings.js";
import { packageRoot } from "../lib/paths.js";
import { closedLoop, option } from "./closed-loop.js";
import { coresAtRate, cpuMeter } from "./cpu-time.js";
import { postJson } from "./post-json.js";
import { withoutReconciler } from "./maintenance.js";
import { runPeer } from "./peer.js";
import { StorageRequestCounter, type RequestKind } from "./storage-requests.js";

const jobs = option("jobs", 200);
const inFlight = option("in-flight", 50);
const seqJobs = option("seq", 50);
const warmup = option("warmup", 20);
const withPeer = process.argv.includes("--peer");

const requestType = "OCR->EMBEDDING->SIS";
const steps = 3;
/** The rate asked of Lucius at 50 in flight, as a share of the peer's (README, Benchmarks). */
const targetRatio = 0.2;
const tablePrefix = "bench";
const taskHub = "benchpipeline";
/** Prefix of devhost's Service Bus emulator tables (the emulator's default). */
const busTablePrefix = "devhostsb";
const hostJsonPath = join(packageRoot, "host.json");
const scriptedWorker = join(packageRoot, "test", "fixtures", "scripted-worker", "worker.js");
const apiKey = randomBytes(24).toString("base64url");

async function startHost(): Promise<{ host: DevHost; bus: ServiceBusHostComponent }> {
  const components = await defaultComponents(hostJsonPath);
  const host = await startDevHost({
    appFiles: [...packageMainFiles(packageRoot), scriptedWorker],
    port: 0,
    azurite: "memory",
    taskHub,
    hostJsonPath,
    components,
    env: { LUCIUS_TABLE_PREFIX: tablePrefix, LUCIUS_API_KEYS: devhostApiKeysSetting(apiKey), ...withoutReconciler },
    logLevel: "error",
  });
  const bus = components.find((c): c is ServiceBusHostComponent => c.name === "servicebus");
  if (!bus) throw new Error("devhost's Service Bus component did not load");
  return { host, bus };
}

function requestCounter(host: DevHost): StorageRequestCounter {
  const ledgerTables = new Set(Object.values(tableNames({ LUCIUS_TABLE_PREFIX: tablePrefix })));
  const tableKind = (table: string): RequestKind | undefined => {
    if (ledgerTables.has(table)) return "ledger";
    if (table.startsWith(taskHub)) return "history";
    if (table.startsWith(busTablePrefix)) return "bus";
    return undefined;
  };
  return new StorageRequestCounter({ tablePort: host.azurite!.ports.table, blobPort: host.azurite!.ports.blob, devhostPort: host.port, tableKind });
}

/** Counts the messages sent through the emulator (directives, replies, anything else the app sends). */
function countBusMessages(bus: ServiceBusHostComponent): { readonly sent: number } {
  const counted = { sent: 0 };
  const emulator = bus.emulator;
  const send = emulator.send.bind(emulator);
  emulator.send = (topic, inputs) => {
    counted.sent += inputs.length;
    return send(topic, inputs);
  };
  return counted;
}

async function main(): Promise<void> {
  const { host, bus } = await startHost();
  const counter = requestCounter(host);
  const messages = countBusMessages(bus);
  const accountUrl = /BlobEndpoint=([^;]+)/.exec(host.connectionString)![1]!.replace(/\/+$/, "");
  const run = randomBytes(4).toString("hex");

  // The driver shares the process (and its CPU) with devhost: see postJson.
  const agent = new http.Agent({ keepAlive: true });
  counter.leaveOut(agent);
  async function submit(n: number): Promise<string> {
    const tenant = `bench-${n % 8}`;
    const { status, text } = await postJson(`${host.url}/v1/commands`, agent, apiKey, {
      tenant_id: tenant,
      request_type: requestType,
      input_ref: { uri: `${accountUrl}/inputs/${tenant}/${run}/${n}.png`, content_type: "image/png" },
      output_ref: `${accountUrl}/outputs/${tenant}/${run}/${n}/`,
      payload: {},
      schema_version: "v1",
      idempotency_key: `${run}-${n}`,
    });
    const body = JSON.parse(text) as { job_id?: string };
    if (status !== 202 || !body.job_id) throw new Error(`POST /v1/commands answered ${status}: ${text}`);
    return body.job_id;
  }

  // Completion is the engine's own in-process notice (`whenFinished`, instance id = job_id), resolved when
  // the orchestration commits its end, just after its last activity wrote SUCCEEDED to the ledger. It costs
  // no request while the job runs, where polling each job's status would add reads to the very storage and
  // CPU being measured; the ledger's state is in the orchestration's output, checked below.
  let submitted = 0;
  const finished: string[] = [];
  const runJob = async () => {
    const jobId = await submit(submitted++);
    const state = await host.durable.whenFinished(jobId);
    const output = state.output === undefined ? undefined : (JSON.parse(state.output) as { state?: string });
    if (state.runtimeStatus !== "Completed" || output?.state !== "SUCCEEDED") {
      throw new Error(`job ${jobId} ended ${state.runtimeStatus} ${state.output ?? ""}`);
    }
    finished.push(jobId);
  };

  try {
    await closedLoop(warmup, Math.min(inFlight, warmup), runJob);
    finished.length = 0;

    const before = counter.snapshot();
    const messagesBefore = messages.sent;
    const cpu = { devhost: cpuMeter(), azurite: cpuMeter(host.azurite!.pid) };
    const loopBefore = performance.eventLoopUtilization();
    const loaded = await closedLoop(jobs, inFlight, runJob);
    // How much of the run this process's one thread was busy: near 100 %, that thread is the limit, whatever the other core does.
    const loopBusyPct = 100 * performance.eventLoopUtilization(loopBefore).utilization;
    const requests = counter.perJob(before, jobs);
    const busMessages = (messages.sent - messagesBefore) / jobs;
    const loadedJobs = finished.splice(0);
    // The two processes that share the cores: this one (the app, devhost, the worker) and Azurite.
    const devhostCpu = cpu.devhost(jobs)!;
    const azuriteCpu = cpu.azurite(jobs);
    // Azurite's CPU as a share of one core over the run: what it leaves idle the other process could not use.
    const azuritePct = azuriteCpu === undefined ? undefined : 100 * coresAtRate(azuriteCpu, loaded.perSecond);
    // The cores both kept busy, against which the cores a target rate would take compare (cores_at_target_ratio).
    const coresUsed = azuriteCpu === undefined ? undefined : coresAtRate(devhostCpu + azuriteCpu, loaded.perSecond);
    console.log(`${jobs} jobs, ${inFlight} in flight: ${loaded.perSecond} jobs/s, p50 ${loaded.p50} ms, p99 ${loaded.p99} ms`);

    const seq = await closedLoop(seqJobs, 1, runJob);
    console.log(`${seqJobs} jobs one at a time: p50 ${seq.p50} ms, p99 ${seq.p99} ms`);

    let historyEvents = 0;
    for (const jobId of loadedJobs) historyEvents += (await host.durable.getHistory(jobId)).length;

    const storage = requests.ledger + requests.bus + requests.history + requests.other;
    console.log(
      `storage requests per job: ${storage.toFixed(2)} (ledger ${requests.ledger}, bus ${requests.bus}, history ${requests.history}, other ${requests.other}); ` +
        `loopback HTTP hops per job ${requests.loopback}; bus messages per job ${busMessages}; history events per job ${(historyEvents / loadedJobs.length).toFixed(1)}; ` +
        `CPU per job: devhost process ${devhostCpu.toFixed(1)} ms, Azurite ${azuriteCpu?.toFixed(1) ?? "unknown"} ms; ` +
        `devhost's event loop busy ${loopBusyPct.toFixed(1)} % of the run, Azurite ${azuritePct?.toFixed(1) ?? "unknown"} % of a core`,
    );
    const figures: Record<string, number> = {
      jobs,
      in_flight: inFlight,
      seq_jobs: seqJobs,
      jobs_per_s: loaded.perSecond,
      p50_ms: loaded.p50,
      p99_ms: loaded.p99,
      seq_p50_ms: seq.p50,
      // The worker answers at once, so a job's whole time one at a time is the orchestrator's.
      overhead_per_step_ms: Number((seq.p50 / steps).toFixed(1)),
      ledger_requests_per_job: requests.ledger,
      bus_requests_per_job: requests.bus,
      history_requests_per_job: requests.history,
      other_storage_requests_per_job: requests.other,
      storage_requests_per_job: Number(storage.toFixed(2)),
      loopback_requests_per_job: requests.loopback,
      bus_messages_per_job: Number(busMessages.toFixed(2)),
      history_events_per_job: Number((historyEvents / loadedJobs.length).toFixed(2)),
      devhost_cpu_ms_per_job: Number(devhostCpu.toFixed(1)),
      ...(azuriteCpu === undefined ? {} : { azurite_cpu_ms_per_job: Number(azuriteCpu.toFixed(1)) }),
      devhost_loop_busy_pct: Number(loopBusyPct.toFixed(1)),
      ...(azuritePct === undefined ? {} : { azurite_core_busy_pct: Number(azuritePct.toFixed(1)) }),
      ...(coresUsed === undefined ? {} : { cores_used: Number(coresUsed.toFixed(2)) }),
      cpus: cpus().length,
    };
    await host.stop();

    if (withPeer) {
      const peer = await runPeer();
      if (peer) {
        figures.peer_jobs_per_s = peer.jobsPerS;
        figures.peer_seq_p50_ms = peer.seqP50Ms;
        figures.ratio = Number((loaded.perSecond / peer.jobsPerS).toFixed(3));
        // The two processes' cores at the target ratio and this run's CPU per job: above the machine's, no better use of
        // its cores reaches the target.
        if (azuriteCpu !== undefined) {
          figures.cores_at_target_ratio = Number(coresAtRate(devhostCpu + azuriteCpu, targetRatio * peer.jobsPerS).toFixed(2));
        }
        console.log(`Lucius/peer jobs/s = ${figures.ratio}; seq p50 ${seq.p50} ms vs the peer's ${peer.seqP50Ms} ms`);
      }
    }
    console.log(JSON.stringify(figures));
  } catch (error) {
    await host.stop();
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
