import { ContainerNames } from "../../lib/config/names.js";
import { pathSegment } from "../../lib/refs/index.js";

/** The Blob service URL (no trailing slash) of an Azurite connection string: where the tenants' places are. */
export function blobAccountUrl(connectionString: string): string {
  const endpoint = /(?:^|;)BlobEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  if (!endpoint) throw new Error("the connection string names no BlobEndpoint");
  return endpoint.replace(/\/+$/, "");
}

/** A URI in `tenant`'s inputs place: `inputs/<tenant>/<name>`. */
export function tenantInput(accountUrl: string, tenant: string, name: string): string {
  return `${accountUrl}/${ContainerNames.inputs}/${encodeURIComponent(pathSegment(tenant))}/${name}`;
}

/** A URI in `tenant`'s outputs place: `outputs/<tenant>/<name>` (a folder when `name` ends with `/`). */
export function tenantOutput(accountUrl: string, tenant: string, name: string): string {
  return `${accountUrl}/${ContainerNames.outputs}/${encodeURIComponent(pathSegment(tenant))}/${name}`;
}
