import { RefError, RefErrorCode } from "./errors.js";

/** A blob (or, with a trailing `/`, a folder prefix) inside the app's storage account. */
export interface BlobLocation {
  container: string;
  /** Decoded blob name; ends with `/` for a folder. */
  name: string;
}

/**
 * Splits `url` into container and blob name when it lies under `accountUrl` (the service URL:
 * `https://acct.blob.core.windows.net/` in Azure, `http://127.0.0.1:port/devstoreaccount1`
 * under Azurite). Undefined when it belongs to anyone else.
 */
export function locateBlob(url: URL, accountUrl: URL): BlobLocation | undefined {
  if (url.origin !== accountUrl.origin || url.username || url.password) return undefined;
  const base = accountUrl.pathname.replace(/\/+$/, "");
  if (base && !url.pathname.startsWith(`${base}/`)) return undefined;
  const rest = url.pathname.slice(base.length + 1);
  const slash = rest.indexOf("/");
  const container = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  const name =
    slash < 0
      ? ""
      : rest
          .slice(slash + 1)
          .split("/")
          .map(decodeURIComponent)
          .join("/");
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container) && container !== "$root") {
    throw new RefError(RefErrorCode.invalidRef, `"${container}" in ${url.href} is not a valid blob container name`);
  }
  return { container, name };
}

/** The URI of a blob, built the way the storage SDK encodes names. */
export function blobUri(accountUrl: URL, location: BlobLocation): string {
  const base = accountUrl.href.replace(/\/+$/, "");
  return `${base}/${encodeURIComponent(location.container)}/${location.name.split("/").map(encodeURIComponent).join("/")}`;
}
