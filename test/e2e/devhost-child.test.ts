import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { azuriteConnectionString } from "../support/storage.js";
import {
  eventually,
  fixtureClient,
  fixtureFiles,
  fixtureHostJson,
  uniqueTaskHub,
  type ManagementPayload,
} from "../fixtures/devhost-app/harness.js";

const mainJs = join(packageRoot, "dist", "devhost", "main.js");
const readyMarker = "DEVHOST_READY ";

interface Child {
  process: ChildProcess;
  url: string;
  output: () => string;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs devhost as `npm start` would, on the shared Azurite, and waits for its ready line. */
async function startChild(taskHub: string): Promise<Child> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npm run build)`);
  const args = [mainJs, "--port", "0", "--azurite", azuriteConnectionString(), "--task-hub", taskHub, "--host-json", fixtureHostJson, "--quiet"];
  for (const file of fixtureFiles) args.push("--app", file);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith(readyMarker));
      if (line) resolve((JSON.parse(line.slice(readyMarker.length)) as { url: string }).url);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`devhost exited (${code ?? signal}) before ready:\n${output}`)));
  });
  return { process: child, url, output: () => output };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe("devhost as a child process", () => {
  it("serves the app and runs an orchestration started over HTTP", async () => {
    const child = await startChild(uniqueTaskHub());
    const client = fixtureClient(child.url);
    const done = await client.finished(await client.start("fanOutOrchestration", { count: 20 }));
    expect(done.output).toBe(2870);
  });

  it("stops gracefully on SIGTERM", async () => {
    const child = await startChild(uniqueTaskHub());
    const exit = new Promise<number | null>((resolve) => child.process.once("exit", (code) => resolve(code)));
    child.process.kill("SIGTERM");
    expect(await exit).toBe(0);
  });

  it(
    "resumes every instance after SIGKILL mid-flight: 20 orchestrations with pending timers and activities complete",
    async () => {
      const taskHub = uniqueTaskHub();
      const first = await startChild(taskHub);
      const client = fixtureClient(first.url);
      const started: ManagementPayload[] = [];
      for (let n = 1; n <= 20; n++) started.push(await client.start("crashOrchestration", { n }));
      // Kill once every instance is past its first activity, i.e. timers and fan-out activities are pending.
      const atKill = await eventually(
        async () => Promise.all(started.map((s) => client.status(s.id))),
        (statuses) => statuses.every((s) => s?.customStatus === "timer" || s?.customStatus === "fanout"),
        "every instance to reach its timer",
      );
      await killed(first.process);
      expect(atKill.filter((s) => s?.runtimeStatus === "Running").length).toBeGreaterThan(0);

      const second = await startChild(taskHub);
      const again = fixtureClient(second.url);
      for (const [index, payload] of started.entries()) {
        const n = index + 1;
        const resumed = { ...payload, statusQueryGetUri: payload.statusQueryGetUri.replace(first.url, second.url) };
        const done = await again.finished(resumed, 30_000);
        expect(done.runtimeStatus, second.output()).toBe("Completed");
        expect(done.output).toBe(n * n + (n + 1) ** 2 + (n + 2) ** 2 + (n + 3) ** 2);
      }
    },
    90_000,
  );
});
