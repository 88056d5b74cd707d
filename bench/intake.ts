/**
 * Intake benchmark (`npm run bench:intake`): N concurrent clients POST
 * /v1/commands to the app served by devhost (a child process, as in `npm start`)
 * on an in-memory Azurite; in the same run, on the same Azurite, the raw rate of
 * single-entity inserts at the same concurrency. The last line is one JSON
 * object with every figure.
 *
 * Intake is measured twice, each time on a fresh devhost and task hub:
 * - with the job orchestrator disabled (`AzureWebJobs.<name>.Disabled`), so
 *   every command is validated, admitted, written and its orchestration
 *   started (Pending) while no orchestration competes for the same two cores
 *   and Azurite: the `commands_per_s`, `p50_ms`, `p99_ms` and `ratio` figures;
 * - with the orchestrations running as they do under `npm start` (no workers,
 *   so each job dispatches its first step and waits): the `orchestrating_*` figures.
 *
 * Options: --clients N (default 16), --commands N (default 2000), --warmup N (default 500).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { TableClient } from "@azure/data-tables";
import { startAzurite } from "../devhost/azurite.js";
import { packageRoot } from "../lib/paths.js";
import { packageMainFiles, readyMarker } from "../devhost/cli-args.js";
import { devhostApiKeysSetting } from "../devhost/dev-api-key.js";
import { disabledSettingName } from "../devhost/disabled-functions.js";
import { OrchestratorNames } from "../lib/orchestration/names.js";
import { randomBytes } from "node:crypto";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const clients = option("clients", 16);
const commands = option("commands", 2000);
// Enough for the JIT to settle in both processes; shorter runs understate both rates, the raw one most.
const warmup = option("warmup", 500);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `total` operations on `concurrency` loops; returns each one's latency (ms) and the wall time. */
async function drive(total: number, concurrency: number, operation: (n: number) => Promise<unknown>) {
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
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - began) / 1000 };
}

/** The benchmark's own API key, valid for every tenant, given to devhost as its hash. */
const apiKey = randomBytes(24).toString("base64url");

interface DevhostChild {
  url: string;
  child: ChildProcess;
}

async function startDevhostChild(connectionString: string, run: string, orchestrate: boolean): Promise<DevhostChild> {
  // The orchestrator app alone (package.json "main"): no reference workers, so every job waits on its first step.
  const app = packageMainFiles(packageRoot).flatMap((file) => ["--app", file]);
  const child = spawn(process.execPath, [join(packageRoot, "dist/devhost/main.js"), "--port", "0", "--azurite", connectionString, "--quiet", ...app], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "inherit"],
    // Jobs here never finish (no workers), so the in-flight limits are lifted out of the way.
    env: {
      ...process.env,
      LUCIUS_TABLE_PREFIX: `bench${run}`,
      LUCIUS_TASK_HUB: `bench${run}`,
      LUCIUS_API_KEYS: devhostApiKeysSetting(apiKey),
      LUCIUS_TENANT_INFLIGHT_LIMIT: "1000000",
      LUCIUS_GLOBAL_INFLIGHT_LIMIT: "1000000",
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

const command = (n: number, run: string) => ({
  tenant_id: `bench-${n % 8}`,
  request_type: "OCR->EMBEDDING->SIS",
  input_ref: { uri: `https://example.blob.core.windows.net/inputs/${run}/${n}.png`, content_type: "image/png" },
  output_ref: `https://example.blob.core.windows.net/outputs/${run}/${n}/`,
  payload: { steps: { ocr: { output_format: "JSON" }, embedding: { normalize: true } } },
  schema_version: "v1",
  idempotency_key: `${run}-${n}`,
});

/** Warms up and then measures one devhost child; stops it before returning. */
async function measureIntake(connectionString: string, run: string, orchestrate: boolean) {
  const { url, child } = await startDevhostChild(connectionString, run, orchestrate);
  try {
    const post = async (body: unknown) => {
      const response = await fetch(`${url}/v1/commands`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`POST /v1/commands answered ${response.status}`);
    };
    await drive(warmup, clients, (n) => post(command(n, `${run}-warmup`)));
    const { latencies, seconds } = await drive(commands, clients, (n) => post(command(n, run)));
    const result = {
      commandsPerSecond: Number((commands / seconds).toFixed(1)),
      p50: Number(percentile(latencies, 50).toFixed(1)),
      p99: Number(percentile(latencies, 99).toFixed(1)),
    };
    const what = orchestrate ? "orchestrations running" : "orchestrator disabled";
    console.log(`intake, ${what}: ${result.commandsPerSecond}/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
    return result;
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const table = TableClient.fromConnectionString(azurite.connectionString, "benchraw", { allowInsecureConnection: true });
    await table.createTable();
    await drive(warmup, clients, (n) => table.createEntity({ partitionKey: "warm", rowKey: String(n), payload: "x".repeat(512) }));
    const raw = await drive(commands, clients, (n) =>
      table.createEntity({ partitionKey: `p${n % 8}`, rowKey: String(n), payload: "x".repeat(512) }),
    );
    const rawPerSecond = commands / raw.seconds;
    console.log(`raw single-entity inserts: ${rawPerSecond.toFixed(0)}/s (${clients} clients, ${commands} inserts)`);

    const held = await measureIntake(azurite.connectionString, "held", false);
    const orchestrating = await measureIntake(azurite.connectionString, "live", true);
    const figures = {
      clients,
      commands,
      commands_per_s: held.commandsPerSecond,
      p50_ms: held.p50,
      p99_ms: held.p99,
      raw_inserts_per_s: Number(rawPerSecond.toFixed(1)),
      ratio: Number((held.commandsPerSecond / rawPerSecond).toFixed(3)),
      orchestrating_commands_per_s: orchestrating.commandsPerSecond,
      orchestrating_p50_ms: orchestrating.p50,
      orchestrating_p99_ms: orchestrating.p99,
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
