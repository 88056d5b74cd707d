import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import type { BlobServiceClient } from "@azure/storage-blob";
import { AppSettingNames } from "../lib/config/names.js";
import { readDevhostStorage } from "../lib/devhost-state.js";
import { blobServiceClientFromEnv, RefStore } from "../lib/refs/index.js";
import type { ApiClient } from "./api-client.js";
import { devhostStateDir, isLoopbackApi } from "./devhost-key.js";
import { NetworkError, UsageError } from "./errors.js";

type Env = Record<string, string | undefined>;

/** The app's storage account as the CLI reaches it: uploads of inputs, reads of outputs. */
export interface CliStorage {
  blobs: BlobServiceClient;
  refs: RefStore;
  /** The Blob service URL without a trailing slash, e.g. `http://127.0.0.1:10000/devstoreaccount1`. */
  accountUrl: string;
  /** Where the storage came from, for messages. */
  source: string;
}

export function storageFromClient(blobs: BlobServiceClient, source: string): CliStorage {
  return { blobs, refs: new RefStore({ blobs }), accountUrl: blobs.url.replace(/\/+$/, ""), source };
}

/**
 * The storage account: `--storage` (a connection string), else `AzureWebJobsStorage`
 * (connection string, or `__blobServiceUri` / `__accountName` with an Azure credential), else
 * the Azurite of the devhost the API runs on (from the `storage.json` devhost writes into its
 * state folder; no route serves it). Undefined when none of them is there.
 */
export async function resolveStorage(api: ApiClient, flag: string | undefined, env: Env): Promise<CliStorage | undefined> {
  if (flag) return storageFromClient(blobServiceClientFromEnv({ [AppSettingNames.storage]: flag }), "--storage");
  const name = AppSettingNames.storage;
  if (env[name] || env[`${name}__blobServiceUri`] || env[`${name}__accountName`]) return storageFromClient(blobServiceClientFromEnv(env), name);
  if (!isLoopbackApi(api.baseUrl)) return undefined;
  const own = readDevhostStorage(await devhostStateDir(env), api.baseUrl);
  return own ? storageFromClient(blobServiceClientFromEnv({ [name]: own }), "devhost's Azurite") : undefined;
}

export function storageRequired(why: string): UsageError {
  return new UsageError(
    `${why} needs the storage account: pass --storage "<connection string>" or set ${AppSettingNames.storage} (under devhost it is found by itself)`,
  );
}

/** A fresh prefix, so uploads and default outputs never overwrite each other. */
export function uniqueFolder(): string {
  return `${new Date().toISOString().slice(0, 10)}/${randomBytes(6).toString("hex")}`;
}

/** Uploads a document into the tenant's inputs place (`inputs/<tenant>/…`); returns its blob URI. */
export async function uploadInput(storage: CliStorage, tenantId: string, fileName: string, bytes: Buffer, contentType: string): Promise<string> {
  const { places } = storage.refs;
  const uri = `${places.uri(places.inputs(tenantId))}${uniqueFolder()}/${encodeURIComponent(basename(fileName))}`;
  try {
    return await storage.refs.write(uri, bytes, contentType);
  } catch (error) {
    throw new NetworkError(`uploading ${fileName} to ${storage.source} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Removes an upload the API then refused, so a rejected submit leaves nothing behind; best effort. */
export async function deleteUpload(storage: CliStorage, uri: string): Promise<void> {
  const location = storage.refs.locate(uri);
  if (!location) return;
  await storage.blobs
    .getContainerClient(location.container)
    .deleteBlob(location.name)
    .catch(() => undefined);
}

/** A fresh folder in the tenant's outputs place (`outputs/<tenant>/…/`) for a job's output. */
export function defaultOutputFolder(storage: CliStorage, tenantId: string): string {
  const { places } = storage.refs;
  return `${places.uri(places.outputs(tenantId))}${uniqueFolder()}/`;
}
