import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../devhost/azurite.js";
import { processAlive } from "../../devhost/process-identity.js";
import { packageRoot } from "../../lib/paths.js";
import { eventually } from "../fixtures/devhost-app/harness.js";
import { apiKeysSetting, newTestKey } from "../support/auth.js";
import { azuritePidsOn, storageLine, type StorageLine } from "../support/azurite-processes.js";
import { spawnDevhost, type DevhostChild } from "../support/devhost-child.js";

// The run `npm start` makes: devhost's main with the reference workers beside the app and its own
// on-disk Azurite (a temporary folder instead of .devhost/azurite, free ports kept by the folder).
const folder = mkdtempSync(join(tmpdir(), "lucius-restart-"));
const location = join(folder, "azurite");
const key = newTestKey("restart", ["*"]);
const tenant = "restart";
const jobCount = 20;
// Scaled from production's (ack 30 s, lease 900 s, 3 attempts): a directive locked by a killed devhost is
// delivered again once its 30 s lock expires, so ACK and lease outlast that, or every kill would cost each
// step in flight an attempt, and twenty OCRs queued on a loaded machine would run out of them.
const stepDefaults = { ack_seconds: 60, lease_seconds: 60, max_attempts: 8, backoff_seconds: [0.5, 1] };
const env = { ...process.env, LUCIUS_API_KEYS: apiKeysSetting([key]), LUCIUS_STEP_DEFAULTS: JSON.stringify(stepDefaults) };
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await eventually(
    async () => azuritePidsOn(location),
    (pids) => pids.length === 0,
    "no Azurite left on the folder",
  );
  rmSync(folder, { recursive: true, force: true });
});

const start = (extra: string[] = []) =>
  spawnDevhost(["--port", "0", "--azurite-location", location, ...extra, "--task-hub", "restart", "--quiet"], { env, track: (c) => children.push(c) });

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "x-api-key": key.key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/** Polls every half second: twenty job reads a poll, on a machine the workers keep busy. */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const blobBase = (storage: StorageLine) => `http://127.0.0.1:${storage.ports.blob}/${AZURITE_ACCOUNT}`;

async function uploadInvoice(storage: StorageLine): Promise<string> {
  const connection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobBase(storage)};`;
  const container = BlobServiceClient.fromConnectionString(connection).getContainerClient("inputs");
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient("restart/invoice.png");
  await blob.uploadData(readFileSync(join(packageRoot, "samples", "invoice.png")), { blobHTTPHeaders: { blobContentType: "image/png" } });
  return blob.url;
}

describe("npm start survives SIGKILL", () => {
  it(
    "20 jobs with the reference workers, devhost SIGKILLed three times while they run and started again on its folder: 20 of 20 SUCCEEDED, every step once, no Azurite left",
    async () => {
      let devhost: DevhostChild = await start(["--azurite-ports", "0"]);
      let storage = storageLine(devhost.output());
      const ports = storage.ports;
      const input = await uploadInvoice(storage);
      const jobIds: string[] = [];
      for (let n = 0; n < jobCount; n++) {
        const command = {
          tenant_id: tenant,
          request_type: "OCR->EMBEDDING->SIS",
          input_ref: { uri: input, content_type: "image/png" },
          output_ref: `${blobBase(storage)}/outputs/${tenant}/restart-${n}/`,
          payload: {},
          schema_version: "v1",
          idempotency_key: randomBytes(8).toString("hex"),
        };
        // A 5xx says "safe to retry": a client sends the same command again, as this one does once,
        // and what devhost printed is shown so the cause can be found.
        let submitted = await api(devhost.url, "POST", "/v1/commands", command);
        if (submitted.status >= 500) {
          console.warn(`submission ${n} answered ${submitted.status}, retried; devhost printed:\n${devhost.output().slice(-4000)}`);
          submitted = await api(devhost.url, "POST", "/v1/commands", command);
        }
        expect([202, 200], `${JSON.stringify(submitted.body)}\ndevhost printed:\n${devhost.output().slice(-4000)}`).toContain(submitted.status);
        jobIds.push(submitted.body.job_id as string);
      }
      const jobs = (url: string) => Promise.all(jobIds.map(async (id) => (await api(url, "GET", `/v1/jobs/${id}`)).body));
      const stepsDone = (all: Json[]) => all.flatMap((job) => job.steps as Json[]).filter((step) => step.state === "SUCCEEDED").length;

      let done = 0;
      for (let kill = 1; kill <= 3; kill++) {
        // Kill once a little more work has finished since the last start, while jobs still run.
        const seen = await until(
          () => jobs(devhost.url),
          (all) => stepsDone(all) > done,
          `progress before kill ${kill}`,
          90_000,
        );
        done = stepsDone(seen);
        expect(seen.filter((job) => job.state !== "SUCCEEDED").length, `jobs still running at kill ${kill}`).toBeGreaterThan(0);
        devhost.process.kill("SIGKILL");
        await exited(devhost.process);
        const killedAzurite = storage.pid;
        // It ends by itself (the next start would stop it after 20 s; waiting less proves it need not).
        await until(
          async () => processAlive(killedAzurite),
          (alive) => !alive,
          `Azurite ${killedAzurite} to end after its devhost died`,
          15_000,
        );

        devhost = await start();
        storage = storageLine(devhost.output());
        // The same ports, so every stored ref still names the account.
        expect(storage.ports).toEqual(ports);
        expect(azuritePidsOn(location)).toEqual([storage.pid]);
      }

      const final = await until(
        () => jobs(devhost.url),
        (all) => all.every((job) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state)),
        "every job to end",
        180_000,
      );
      expect(final.map((job) => `${job.job_id} ${job.state} ${JSON.stringify(job.error ?? null)}`)).toEqual(jobIds.map((id) => `${id} SUCCEEDED null`));
      for (const job of final) {
        expect((job.steps as Json[]).map((step) => `${step.step_id} ${step.state}`)).toEqual(["ocr SUCCEEDED", "embedding SUCCEEDED", "sis SUCCEEDED"]);
        const events = (await api(devhost.url, "GET", `/v1/jobs/${job.job_id}/events?limit=200`)).body.events as Json[];
        const successes = events.filter((e) => e.type === "STEP_STATE_CHANGED" && e.details?.to === "SUCCEEDED").map((e) => `${e.step_id}#${e.attempt_no}`);
        const steps = successes.map((attempt) => attempt.split("#")[0]);
        const timeline = events.map((e) => `${e.type} ${e.step_id ?? ""}#${e.attempt_no ?? ""} ${JSON.stringify(e.details ?? {})}`).join("\n");
        expect(
          steps.filter((step, at) => steps.indexOf(step) !== at),
          `steps of job ${job.job_id} that SUCCEEDED twice:\n${timeline}`,
        ).toEqual([]);
      }

      devhost.process.kill("SIGTERM");
      expect(await exited(devhost.process)).toBe(0);
      expect(processAlive(storage.pid)).toBe(false);
      expect(azuritePidsOn(location)).toEqual([]);
    },
    // Twenty OCRs one after another plus four devhost starts: about 3 minutes on a loaded 2-core machine.
    330_000,
  );
});
