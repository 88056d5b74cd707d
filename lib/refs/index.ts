export { RefStore, refUri, reservedFolder, type RefStoreOptions, type InputDocument } from "./ref-store.js";
export { RefError, RefErrorCode, isRefError } from "./errors.js";
export { parseAllowlist, isAllowed, type Allowlist, type AllowlistEntry } from "./allowlist.js";
export { isPublicAddress } from "./address.js";
export { fetchAllowlisted, type HttpsFetchOptions, type FetchedInput } from "./https-fetch.js";
export { blobServiceClientFromEnv } from "./blob-client.js";
