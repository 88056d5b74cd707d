import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { AzuriteStartError, startAzurite, type AzuritePorts, type RunningAzurite } from "./azurite.js";
import { lockAzuriteFolder, type LockOptions } from "./azurite-lock.js";

/** Azurite's own defaults, which Storage Explorer and most samples assume. */
export const defaultAzuritePorts: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };

/** Written as `<folder>.json` beside the data folder after each start. */
export interface AzuriteState {
  location: string;
  /** The ports the next start reuses, so stored refs (`http://127.0.0.1:<blob port>/devstoreaccount1/…`) stay valid. */
  ports: AzuritePorts;
  azurite_pid: number;
  devhost_pid: number;
  started_at: string;
}

export interface FolderAzuriteOptions extends LockOptions {
  /** The data folder. */
  location: string;
  /**
   * Ports to listen on; 0 lets the OS pick a free one. The ports in use are kept in `<folder>.json`.
   * @default the ports kept from the last start, else {@link defaultAzuritePorts}
   */
  ports?: AzuritePorts;
}

export interface FolderAzurite extends RunningAzurite {
  location: string;
  statePath: string;
  lockPath: string;
}

/** Where the state of the Azurite on `location` is kept. */
export const azuriteStatePath = (location: string) => `${location}.json`;

/**
 * Starts Azurite on a data folder, under the folder's lock (`<folder>.lock`), on the ports the
 * folder used last time. Stopping it (or this process dying) flushes and ends Azurite; a stop
 * releases the lock once Azurite has exited, so the next start never overlaps it.
 */
export async function startFolderAzurite(options: FolderAzuriteOptions): Promise<FolderAzurite> {
  const { location } = options;
  const lock = await lockAzuriteFolder(location, options);
  const statePath = azuriteStatePath(location);
  try {
    const ports = options.ports ?? readAzuriteState(location)?.ports ?? defaultAzuritePorts;
    const azurite = await startAzurite({ location, ports, onSpawn: (pid) => lock.record(pid) }).catch((error: unknown) => {
      if (error instanceof AzuriteStartError && error.portInUse) {
        throw new AzuriteStartError(
          `${error.message}. Azurite on ${location} listens on blob ${ports.blob}, queue ${ports.queue}, table ${ports.table}; ` +
            `pass --azurite-ports <first port> (0 = free ports, kept in ${statePath}), or stop what holds them`,
          true,
        );
      }
      throw error;
    });
    const state: AzuriteState = { location, ports: azurite.ports, azurite_pid: azurite.pid, devhost_pid: process.pid, started_at: new Date().toISOString() };
    writeFileSync(`${statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${statePath}.tmp`, statePath);
    return {
      ...azurite,
      location,
      statePath,
      lockPath: lock.path,
      stop: async () => {
        await azurite.stop();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** The folder's kept state; undefined before its first start. */
export function readAzuriteState(location: string): AzuriteState | undefined {
  try {
    return JSON.parse(readFileSync(azuriteStatePath(location), "utf8")) as AzuriteState;
  } catch {
    return undefined;
  }
}
