/**
 * Intake benchmark (`npm run bench:intake`): N concurrent clients POST
 * /v1/commands to the app served by devhost (a child process, as in `npm start`)
 * on an in-memory Azurite; in the same run, on the same Azurite, the raw rate of
 * single-entity inserts at the same concurrency. The last line is one JSON
 * object with every figure.
 *
 * Intake over HTTP is measured twice, each time on a fresh devhost and task hub:
 * - with the job orchestrator disabled (`AzureWebJobs.<name>.Disabled`), so
 *   every command is validated, admitted, written and its orchestration
 *   started (Pending) while no orchestration competes for the same two cores
 *   and Azurite: the `commands_per_s`, `p50_ms`, `p99_ms` and `ratio` figures;
 * - with the orchestrations running as they do under `npm start` (no workers,
 *   so each job dispatches its first step and waits): the `orchestrating_*` figures.
 * As a breakdown, `ledger_only_*` is `submitCommand` called in this process:
 * no HTTP and no Durable start, only validation, admission and the ledger.
 *
 * The clients post through `node:http` (see postJson), devhost's child runs without the drift
 * reconciler (see withoutReconciler), and the `*_cpu_ms_per_command` figures are the CPU each
 * process spent per measured command: the clients (this process), devhost's child and Azurite.
 *
 * Options: --clients N (default 16), --commands N (default 2000), --warmup N (default 500).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { createInterface } from "node:readline";
import { TableClient } from "@azure/data-tables";
import { startAzurite, type RunningAzurite } from "../devhost/azurite.js";
import { packageMainFiles, readyMarker } from "../devhost/cli-args.js";
import { devhostApiKeysSetting } from "../devhost/dev-api-key.js";
import { disabledSettingName } from "../devhost/disabled-functions.js";
import { packageRoot } from "../lib/paths.js";
import { OrchestratorNames } from "../lib/orchestration/names.js";
import { closedLoop, option, type LoopFigures } from "./closed-loop.js";
import { cpuMeter } from "./cpu-time.js";
import { ledgerOnlyIntake } from "./intake-ledger.js";
import { postJson } from "./post-json.js";
import { withoutReconciler } from "./maintenance.js";

const clients = option("clients", 16);
const commands = option("commands", 2000);
// Enough for the JIT to settle in every process; shorter runs understate the rates, the raw one most.
const warmup = option("warmup", 500);

/** The benchmark's own API key, valid for every tenant, given to devhost as its hash. */
const apiKey = randomBytes(24).toString("base64url");

/** Jobs here never finish (no workers), so the in-flight limits are lifted out of the way. */
const unlimited = { LUCIUS_TENANT_INFLIGHT_LIMIT: "1000000", LUCIUS_GLOBAL_INFLIGHT_LIMIT: "1000000" };

async function startDevhostChild(connectionString: string, run: string, orchestrate: boolean): Promise<{ url: string; child: ChildProcess }> {
  // The orchestrator app alone (package.json "main"): no reference workers, so every job waits on its first step.
  const app = packageMainFiles(packageRoot).flatMap((file) => ["--app", file]);
  const child = spawn(process.execPath, [join(packageRoot, "dist/devhost/main.js"), "--port", "0", "--azurite", connectionString, "--quiet", ...app], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      ...unlimited,
      ...withoutReconciler,
      LUCIUS_TABLE_PREFIX: `bench${run}`,
      LUCIUS_TASK_HUB: `bench${run}`,
      LUCIUS_API_KEYS: devhostApiKeysSetting(apiKey),
      ...(orchestrate ? {} : { [disabledSettingName(OrchestratorNames.job)]: "true" }),
    },
  });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith(readyMarker)) {
      child.stdout!.resume();
      return { url: (JSON.parse(line.slice(readyMarker.length)) as { url: string }).url, child };
    }
  }
  throw new Error("devhost exited before it was ready");
}

/** The Blob service of the benchmark's Azurite: commands name refs in their tenant's places there. */
let accountUrl = "";

const command = (n: number, run: string) => ({
  tenant_id: `bench-${n % 8}`,
  request_type: "OCR->EMBEDDING->SIS",
  input_ref: { uri: `${accountUrl}/inputs/bench-${n % 8}/${run}/${n}.png`, content_type: "image/png" },
  output_ref: `${accountUrl}/outputs/bench-${n % 8}/${run}/${n}/`,
  payload: { steps: { ocr: { output_format: "JSON" }, embedding: { normalize: true } } },
  schema_version: "v1",
  idempotency_key: `${run}-${n}`,
});

/** CPU per measured command (not the warm-up), in ms: this process (the clients), devhost's child, Azurite. */
interface CpuFigures {
  client: number;
  devhost?: number;
  azurite?: number;
}

const twoPlaces = (ms: number | undefined) => (ms === undefined ? undefined : Number(ms.toFixed(2)));

/** Warms up, then measures `submit` with fresh commands, and the CPU of the processes named. */
async function measure(
  label: string,
  run: string,
  submit: (body: unknown) => Promise<unknown>,
  pids: { azurite: number; devhost?: number },
): Promise<LoopFigures & { cpu: CpuFigures }> {
  await closedLoop(warmup, clients, (n) => submit(command(n, `${run}-warmup`)));
  const meters = { client: cpuMeter(), azurite: cpuMeter(pids.azurite), devhost: pids.devhost === undefined ? undefined : cpuMeter(pids.devhost) };
  const figures = await closedLoop(commands, clients, (n) => submit(command(n, run)));
  const cpu: CpuFigures = {
    client: twoPlaces(meters.client(commands))!,
    ...(meters.devhost ? { devhost: twoPlaces(meters.devhost(commands)) } : {}),
    azurite: twoPlaces(meters.azurite(commands)),
  };
  console.log(`${label}: ${figures.perSecond}/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms; CPU per command (ms) ${JSON.stringify(cpu)}`);
  return { ...figures, cpu };
}

/** Intake over HTTP on a devhost child of its own, stopped before returning. */
async function measureHttpIntake(azurite: RunningAzurite, run: string, orchestrate: boolean): Promise<LoopFigures & { cpu: CpuFigures }> {
  const { url, child } = await startDevhostChild(azurite.connectionString, run, orchestrate);
  const agent = new http.Agent({ keepAlive: true });
  const post = async (body: unknown) => {
    const { status, text } = await postJson(`${url}/v1/commands`, agent, apiKey, body);
    if (status !== 202) throw new Error(`POST /v1/commands answered ${status}: ${text}`);
  };
  try {
    return await measure(`intake, ${orchestrate ? "orchestrations running" : "orchestrator disabled"}`, run, post, {
      azurite: azurite.pid,
      devhost: child.pid,
    });
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

async function measureRawInserts(azurite: RunningAzurite): Promise<LoopFigures> {
  const table = TableClient.fromConnectionString(azurite.connectionString, "benchraw", { allowInsecureConnection: true });
  await table.createTable();
  const row = (partitionKey: string, n: number) => ({ partitionKey, rowKey: String(n), payload: "x".repeat(512) });
  await closedLoop(warmup, clients, (n) => table.createEntity(row("warm", n)));
  const azuriteCpu = cpuMeter(azurite.pid);
  const figures = await closedLoop(commands, clients, (n) => table.createEntity(row(`p${n % 8}`, n)));
  const azuriteMs = twoPlaces(azuriteCpu(commands)) ?? "?";
  console.log(`raw single-entity inserts: ${figures.perSecond}/s (${clients} clients, ${commands} inserts), Azurite CPU ${azuriteMs} ms per insert`);
  return figures;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  accountUrl = /BlobEndpoint=([^;]+)/.exec(azurite.connectionString)![1]!.replace(/\/+$/, "");
  try {
    const raw = await measureRawInserts(azurite);
    const ledgerOnly = await measure(
      "ledger only (in this process, no HTTP, no Durable start)",
      "ledger",
      await ledgerOnlyIntake(azurite.connectionString, { ...unlimited, LUCIUS_TABLE_PREFIX: "benchledger" }),
      { azurite: azurite.pid },
    );
    const held = await measureHttpIntake(azurite, "held", false);
    const orchestrating = await measureHttpIntake(azurite, "live", true);
    const figures = {
      clients,
      commands,
      commands_per_s: held.perSecond,
      p50_ms: held.p50,
      p99_ms: held.p99,
      raw_inserts_per_s: raw.perSecond,
      ratio: Number((held.perSecond / raw.perSecond).toFixed(3)),
      orchestrating_commands_per_s: orchestrating.perSecond,
      orchestrating_p50_ms: orchestrating.p50,
      orchestrating_p99_ms: orchestrating.p99,
      ledger_only_commands_per_s: ledgerOnly.perSecond,
      ledger_only_p50_ms: ledgerOnly.p50,
      ledger_only_p99_ms: ledgerOnly.p99,
      ledger_only_ratio: Number((ledgerOnly.perSecond / raw.perSecond).toFixed(3)),
      client_cpu_ms_per_command: held.cpu.client,
      devhost_cpu_ms_per_command: held.cpu.devhost,
      azurite_cpu_ms_per_command: held.cpu.azurite,
      cpus: cpus().length,
    };
    console.log(`intake/raw = ${figures.ratio}`);
    console.log(JSON.stringify(figures));
  } finally {
    await azurite.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
