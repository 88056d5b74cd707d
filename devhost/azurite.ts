import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";

/** Azurite's well-known development account; it is public and only ever valid against the emulator. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Folder for on-disk persistence; omitted → in memory. */
  location?: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** Fixed ports; 0 (the default) lets the OS pick free ones. */
  ports?: { blob?: number; queue?: number; table?: number };
}

export interface RunningAzurite {
  ports: { blob: number; queue: number; table: number };
  /** A storage connection string with all three endpoints. */
  connectionString: string;
  stop(): Promise<void>;
}

const listening = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

/** Starts Azurite as a child process and resolves once all three services listen. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? "127.0.0.1";
  const bin = createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");
  const args = [
    bin,
    "--blobHost", host, "--queueHost", host, "--tableHost", host,
    "--blobPort", String(options.ports?.blob ?? 0),
    "--queuePort", String(options.ports?.queue ?? 0),
    "--tablePort", String(options.ports?.table ?? 0),
    "--disableTelemetry", "--skipApiVersionCheck", "--loose",
    // No access log: devhost only reads the start-up lines, and logging every request costs Azurite a tenth of its time.
    "--silent",
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence", "--extentMemoryLimit", "512");
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ports = await waitForPorts(child);
  const base = `http://${host}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${base}:${ports.blob}/${AZURITE_ACCOUNT};` +
    `QueueEndpoint=${base}:${ports.queue}/${AZURITE_ACCOUNT};` +
    `TableEndpoint=${base}:${ports.table}/${AZURITE_ACCOUNT};`;
  return { ports, connectionString, stop: () => stopChild(child) };
}

function waitForPorts(child: ChildProcess): Promise<RunningAzurite["ports"]> {
  return new Promise((resolve, reject) => {
    const found: Partial<RunningAzurite["ports"]> = {};
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        const match = listening.exec(line);
        if (match) found[match[1]!.toLowerCase() as keyof RunningAzurite["ports"]] = Number(match[2]);
      }
      if (found.blob && found.queue && found.table) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as RunningAzurite["ports"]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`Azurite exited (${code}) before listening:\n${output}`)));
    child.once("error", reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
