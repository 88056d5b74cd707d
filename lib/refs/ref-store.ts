import type { BlobServiceClient } from "@azure/storage-blob";
import type { Ref } from "../contracts/index.js";
import { blobUri, type BlobLocation } from "./blob-location.js";
import { BlockSourceError, writeBlocks } from "./block-writer.js";
import { RefError, RefErrorCode } from "./errors.js";
import { fetchAllowlisted, type HttpsFetchOptions } from "./https-fetch.js";
import { RefUse, TenantPlaces, type InputAllowlists } from "./tenant-places.js";

export interface RefStoreOptions {
  blobs: BlobServiceClient;
  /** https inputs allowed besides the storage account. @default none */
  allowlists?: InputAllowlists;
  /** Largest input read, in bytes. @default 52428800 (50 MiB) */
  maxInputBytes?: number;
  /** Overrides for the https transport (tests). */
  https?: Pick<HttpsFetchOptions, "resolve" | "request" | "timeoutMs">;
}

export interface InputDocument {
  bytes: Buffer;
  /** The content type the store or server declared (the ref's own `content_type` when given). */
  contentType?: string;
  /** Where the bytes came from (a folder ref resolves to its one blob). */
  uri: string;
}

/** Blob names under a workspace or output folder that Lucius keeps for itself. */
export const reservedFolder = "_lucius/";

/** The URI of a ref: the string itself or its `uri`. */
export function refUri(ref: Ref): string {
  return typeof ref === "string" ? ref : ref.uri;
}

/** The tenant and job a worker attempt runs for: every read and write is checked against their places. */
export interface RefScope {
  tenant_id: string;
  job_id: string;
}

function storageError(error: unknown, what: string, code: RefErrorCode): RefError | Error {
  if (error instanceof RefError || (error as Error)?.name === "AbortError") return error as Error;
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new RefError(RefErrorCode.inputNotFound, `${what} does not exist`, { cause: error });
  if (status === 401 || status === 403) return new RefError(RefErrorCode.accessDenied, `${what}: access denied (HTTP ${status})`, { cause: error });
  if (status === 400) return new RefError(RefErrorCode.invalidRef, `${what} is not a valid blob (${(error as Error).message})`, { cause: error });
  return new RefError(code, `${what}: storage unavailable (${status ? `HTTP ${status}` : (error as Error).message})`, { cause: error });
}

/**
 * Reads and writes refs. Blob URIs inside the app's storage account go through the storage
 * SDK (with its credentials; under Azurite that endpoint is loopback, and allowed because it is
 * the configured one). Other https inputs come only from the allowlist; everything else — local
 * paths, `file:`, other schemes, private addresses, encoded separators, dot segments — is
 * refused before any request. A store {@link RefStore.forJob | scoped to a job} (the workers')
 * also refuses, before any request, every read or write outside that tenant's places.
 * Containers are never created here: setup makes them once.
 */
export class RefStore {
  readonly places: TenantPlaces;
  private readonly maxInputBytes: number;

  constructor(
    private readonly options: RefStoreOptions,
    private readonly scope?: RefScope,
  ) {
    this.places = new TenantPlaces(options.blobs.url, options.allowlists);
    this.maxInputBytes = options.maxInputBytes ?? 50 * 1024 * 1024;
  }

  /** The same store, checking every ref against the places of `scope`'s tenant and job. */
  forJob(scope: RefScope): RefStore {
    return new RefStore(this.options, { tenant_id: scope.tenant_id, job_id: scope.job_id });
  }

  /** The blob a URI names in the storage account (parsed strictly), or undefined when it is elsewhere. */
  locate(uri: string): BlobLocation | undefined {
    return this.places.locate(uri);
  }

  /** Where `uri` may be used so, or undefined for an allowed https URL outside the account; throws otherwise. */
  private checked(uri: string, use: RefUse): BlobLocation | undefined {
    if (this.scope) return this.places.check(uri, use, this.scope.tenant_id, this.scope.job_id);
    const location = this.locate(uri);
    if (!location && use === RefUse.write)
      throw new RefError(RefErrorCode.invalidRef, `Outputs are written to the app's storage account only, not ${new URL(uri).origin}`);
    return location;
  }

  async readInput(ref: Ref, signal?: AbortSignal): Promise<InputDocument> {
    const uri = refUri(ref);
    const declared = typeof ref === "object" ? ref.content_type : undefined;
    const location = this.checked(uri, RefUse.read);
    const allowlist = this.scope ? this.places.allowlistFor(this.scope.tenant_id) : this.places.allowlists.shared;
    const found = location
      ? await this.readBlob(location.name === "" || location.name.endsWith("/") ? await this.onlyBlobIn(location, uri) : location, signal)
      : await fetchAllowlisted(uri, { ...this.options.https, allowlist, maxBytes: this.maxInputBytes, ...(signal ? { signal } : {}) });
    return { ...found, ...(declared ? { contentType: declared } : {}) };
  }

  /** The target of an output: `ref` itself, or `ref` + `fileName` when `ref` is a folder (ends with `/`). */
  outputUri(ref: Ref, fileName: string): string {
    const uri = refUri(ref);
    const target = uri.endsWith("/") ? `${uri}${encodeURIComponent(fileName)}` : uri;
    this.checked(target, RefUse.write);
    return target;
  }

  /**
   * Writes a blob in the storage account (its container must exist); returns its URI. An async
   * iterable body is written as it is produced (staged blocks), never held whole.
   */
  async write(uri: string, body: Buffer | string | AsyncIterable<string | Buffer>, contentType: string, signal?: AbortSignal): Promise<string> {
    const location = this.checked(uri, RefUse.write);
    if (!location || location.name === "" || location.name.endsWith("/"))
      throw new RefError(RefErrorCode.invalidRef, `${uri} does not name a blob in the storage account`);
    const blob = this.options.blobs.getContainerClient(location.container).getBlockBlobClient(location.name);
    try {
      if (typeof body !== "string" && !Buffer.isBuffer(body)) {
        await writeBlocks(blob, body, { contentType, ...(signal ? { signal } : {}) });
      } else {
        const data = typeof body === "string" ? Buffer.from(body, "utf8") : body;
        await blob.uploadData(data, { blobHTTPHeaders: { blobContentType: contentType }, ...(signal ? { abortSignal: signal } : {}) });
      }
    } catch (error) {
      if (error instanceof BlockSourceError) throw error.original;
      const mapped = storageError(error, `Writing ${uri}`, RefErrorCode.outputWriteFailed);
      throw mapped instanceof RefError && mapped.code === RefErrorCode.inputNotFound
        ? new RefError(RefErrorCode.outputWriteFailed, mapped.message, { cause: error })
        : mapped;
    }
    return blobUri(this.places.accountUrl, location);
  }

  /** A blob's bytes, or undefined when it does not exist (markers, re-reads). */
  async readIfExists(uri: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    const location = this.checked(uri, RefUse.read);
    if (!location) return undefined;
    try {
      return await this.options.blobs
        .getContainerClient(location.container)
        .getBlobClient(location.name)
        .downloadToBuffer(0, undefined, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw storageError(error, `Reading ${uri}`, RefErrorCode.inputUnreachable);
    }
  }

  private async readBlob(location: BlobLocation, signal?: AbortSignal): Promise<InputDocument> {
    const uri = blobUri(this.places.accountUrl, location);
    const client = this.options.blobs.getContainerClient(location.container).getBlobClient(location.name);
    const abort = signal ? { abortSignal: signal } : {};
    try {
      const properties = await client.getProperties(abort);
      if ((properties.contentLength ?? 0) > this.maxInputBytes) {
        throw new RefError(RefErrorCode.inputTooLarge, `Input ${uri} is ${properties.contentLength} bytes; the limit is ${this.maxInputBytes}`);
      }
      const bytes = await client.downloadToBuffer(0, undefined, abort);
      return { bytes, uri, ...(properties.contentType ? { contentType: properties.contentType } : {}) };
    } catch (error) {
      throw storageError(error, `Input ${uri}`, RefErrorCode.inputUnreachable);
    }
  }

  /** A folder ref names its single document; Lucius's own `_lucius/` entries do not count. */
  private async onlyBlobIn(folder: BlobLocation, uri: string): Promise<BlobLocation> {
    const names: string[] = [];
    try {
      for await (const item of this.options.blobs.getContainerClient(folder.container).listBlobsFlat({ prefix: folder.name })) {
        if (!item.name.slice(folder.name.length).startsWith(reservedFolder)) names.push(item.name);
        if (names.length > 1) break;
      }
    } catch (error) {
      throw storageError(error, `Input folder ${uri}`, RefErrorCode.inputUnreachable);
    }
    if (names.length === 0) throw new RefError(RefErrorCode.inputNotFound, `Input folder ${uri} holds no document`);
    if (names.length > 1) throw new RefError(RefErrorCode.invalidRef, `Input folder ${uri} holds more than one document; name the blob`);
    return { container: folder.container, name: names[0]! };
  }
}
