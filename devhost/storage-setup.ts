import { BlobServiceClient } from "@azure/storage-blob";
import { ContainerNames } from "../lib/config/names.js";

/**
 * Creates the document containers (`inputs`, `workspaces`, `outputs`) once at start-up, as
 * Bicep does in Azure: the app and the workers never create containers, so a ref naming any
 * other container fails instead of making one.
 */
export async function createDataContainers(connectionString: string): Promise<void> {
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for (const name of Object.values(ContainerNames)) await blobs.getContainerClient(name).createIfNotExists();
}
