export { RefStore, refUri, reservedFolder, type RefStoreOptions, type RefScope, type InputDocument } from "./ref-store.js";
export { TenantPlaces, RefUse, pathSegment, parseTenantAllowlists, inputAllowlistsFromEnv, type InputAllowlists, type Place } from "./tenant-places.js";
export { parseRefPath, liesWithin } from "./ref-path.js";
export { RefError, RefErrorCode, isRefError } from "./errors.js";
export { parseAllowlist, isAllowed, type Allowlist, type AllowlistEntry } from "./allowlist.js";
export { isPublicAddress } from "./address.js";
export { fetchAllowlisted, type HttpsFetchOptions, type FetchedInput } from "./https-fetch.js";
export { blobServiceClientFromEnv } from "./blob-client.js";
