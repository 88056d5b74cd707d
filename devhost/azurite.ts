import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { watchdogImport } from "./azurite-watchdog.js";

/** Azurite's well-known development account; it is public and only ever valid against the emulator. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /** Folder for on-disk persistence; omitted → in memory. */
  location?: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** Fixed ports; 0 (the default) lets the OS pick free ones. */
  ports?: Partial<AzuritePorts>;
  /** Called with the process id as soon as the process exists (before it listens). */
  onSpawn?: (pid: number) => void;
}

export interface RunningAzurite {
  ports: AzuritePorts;
  pid: number;
  /** A storage connection string with all three endpoints. */
  connectionString: string;
  /** Resolves once the process has exited (stopped, or died). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** The Azurite CLI devhost runs; a process whose command line names it (and a folder) is devhost's Azurite. */
export const azuriteBin = createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");

const listening = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

/**
 * Starts Azurite as a child process and resolves once all three services listen. Its life is
 * bound to this process's (see azurite-watchdog.ts): when this process dies, Azurite flushes and
 * ends. It runs in its own process group, so a signal to devhost's group (Ctrl-C, a closed
 * terminal, `kill -9 -<pgid>`) reaches devhost only, and Azurite still gets to flush.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? "127.0.0.1";
  const args = [
    // A young generation four times Node's default: Azurite allocates a great deal per request, and
    // with the default its scavenges promoted enough to stall every request in flight for tens of
    // milliseconds (bench:intake's p99 fell from 127-174 ms to 111-122 ms, and Azurite's CPU per command by about 15 %).
    "--max-semi-space-size=64",
    "--import",
    watchdogImport,
    azuriteBin,
    "--blobHost",
    host,
    "--queueHost",
    host,
    "--tableHost",
    host,
    "--blobPort",
    String(options.ports?.blob ?? 0),
    "--queuePort",
    String(options.ports?.queue ?? 0),
    "--tablePort",
    String(options.ports?.table ?? 0),
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
    // No access log: devhost only reads the start-up lines, and logging every request costs Azurite a tenth of its time.
    "--silent",
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence", "--extentMemoryLimit", "512");
  }
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], detached: process.platform !== "win32" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const ports = await waitForPorts(child).catch(async (error: unknown) => {
    await stopChild(child, exited);
    throw error;
  });
  const base = `http://${host}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${base}:${ports.blob}/${AZURITE_ACCOUNT};` +
    `QueueEndpoint=${base}:${ports.queue}/${AZURITE_ACCOUNT};` +
    `TableEndpoint=${base}:${ports.table}/${AZURITE_ACCOUNT};`;
  return { ports, pid: child.pid!, connectionString, exited, stop: () => stopChild(child, exited) };
}

function waitForPorts(child: ChildProcess): Promise<AzuritePorts> {
  return new Promise((resolve, reject) => {
    const found: Partial<AzuritePorts> = {};
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        const match = listening.exec(line);
        if (match) found[match[1]!.toLowerCase() as keyof AzuritePorts] = Number(match[2]);
      }
      if (found.blob && found.queue && found.table) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as AzuritePorts);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(AzuriteStartError.fromOutput(output, code)));
    child.once("error", reject);
  });
}

/** Azurite ended before listening; a port in use is said as such. */
export class AzuriteStartError extends Error {
  override readonly name = "AzuriteStartError";
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }

  static fromOutput(output: string, code: number | null): AzuriteStartError {
    const inUse = /EADDRINUSE[^\n]*/.exec(output);
    if (inUse) return new AzuriteStartError(`Azurite could not listen: ${inUse[0].trim()}`, true);
    return new AzuriteStartError(`Azurite exited (${code}) before listening:\n${output}`, false);
  }
}

/** Closing stdin is the stop request (the watchdog's trigger); signals only if Azurite does not end. */
function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.stdin?.end();
  const term = setTimeout(() => child.kill("SIGTERM"), 15_000);
  const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return exited.finally(() => {
    clearTimeout(term);
    clearTimeout(kill);
  });
}
