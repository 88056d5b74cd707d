import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { AppSettingNames } from "../config/names.js";
import { ConfigurationError } from "../config/settings.js";

type Env = Record<string, string | undefined>;

/** Storage calls give up quickly so a worker reports RETRYABLE instead of hanging its lease. */
const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: 3, tryTimeoutInMs: 60_000, retryDelayInMs: 500, maxRetryDelayInMs: 5_000 } };

/**
 * The Blob service of the app's storage account, by the Functions convention for
 * `AzureWebJobsStorage`: a connection string (Azurite locally, `UseDevelopmentStorage=true`
 * included), or `__blobServiceUri` / `__accountName` with a managed identity (`__clientId`).
 */
export function blobServiceClientFromEnv(env: Env): BlobServiceClient {
  const name = AppSettingNames.storage;
  const connectionString = env[name];
  if (connectionString) return BlobServiceClient.fromConnectionString(connectionString, pipeline);
  const accountName = env[`${name}__accountName`];
  const serviceUri = env[`${name}__blobServiceUri`] ?? (accountName ? `https://${accountName}.blob.core.windows.net` : undefined);
  if (!serviceUri) {
    throw new ConfigurationError(
      `Blob storage is not configured: set ${name} (connection string) or ${name}__blobServiceUri / ${name}__accountName (managed identity)`,
    );
  }
  const clientId = env[`${name}__clientId`];
  return new BlobServiceClient(serviceUri, new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}), pipeline);
}
