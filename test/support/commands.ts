import { azuriteConnectionString } from "./storage.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "./tenant-refs.js";

/** A valid `OCR->EMBEDDING` command for `tenant`, its refs in the tenant's places of the run's Azurite; `n` makes them and the idempotency key unique. */
export const ocrEmbeddingCommand = (tenant: string, n: number, keyPrefix: string, accountUrl = blobAccountUrl(azuriteConnectionString())) => ({
  tenant_id: tenant,
  request_type: "OCR->EMBEDDING",
  input_ref: tenantInput(accountUrl, tenant, `${n}.png`),
  output_ref: tenantOutput(accountUrl, tenant, `${n}`),
  payload: {},
  schema_version: "v1",
  idempotency_key: `${keyPrefix}-${n}`,
});
