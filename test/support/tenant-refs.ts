import { ContainerNames } from "../../lib/config/names.js";
import { pathSegment } from "../../lib/refs/index.js";

/** The Blob service URL (no trailing slash) of an Azurite connection string: where the tenants' places are. */
export function blobAccountUrl(connectionString: string): string {
  const endpoint = /(?:^|;)BlobEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  if (!endpoint) throw new Error("the connection string names no BlobEndpoint");
  return endpoint.replace(/\/+$/, "");
}

/** `tenant`'s path segment; a tenant id no place can have (fuzzed: empty, lone surrogates) gets a placeholder, as intake refuses its command anyway. */
const segment = (tenant: string) => {
  try {
    return encodeURIComponent(pathSegment(tenant));
  } catch {
    return "no-place";
  }
};

/** A URI in `tenant`'s inputs place: `inputs/<tenant>/<name>`. */
export function tenantInput(accountUrl: string, tenant: string, name: string): string {
  return `${accountUrl}/${ContainerNames.inputs}/${segment(tenant)}/${name}`;
}

/** A URI in `tenant`'s outputs place: `outputs/<tenant>/<name>` (a folder when `name` ends with `/`). */
export function tenantOutput(accountUrl: string, tenant: string, name: string): string {
  return `${accountUrl}/${ContainerNames.outputs}/${segment(tenant)}/${name}`;
}
