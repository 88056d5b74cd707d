/** Table clients for the ledger, built from the app's storage settings. */
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import type { TableNames } from "../config/names.js";
import type { StorageConnection } from "../config/settings.js";

export interface LedgerTables {
  jobs: TableClient;
  tenantIndex: TableClient;
  inflight: TableClient;
}

export function openTables(storage: StorageConnection, names: TableNames): LedgerTables {
  const open = clientFactory(storage);
  return {
    jobs: open(names.jobs),
    tenantIndex: open(names.tenantIndex),
    inflight: open(names.inflight),
  };
}

function clientFactory(storage: StorageConnection): (table: string) => TableClient {
  if (storage.kind === "connectionString") {
    const options: TableServiceClientOptions = /DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(storage.connectionString)
      ? { allowInsecureConnection: true }
      : {};
    return (table) => TableClient.fromConnectionString(storage.connectionString, table, options);
  }
  // One credential for all the clients, so tokens are fetched and cached once.
  const credential = new DefaultAzureCredential(storage.clientId ? { managedIdentityClientId: storage.clientId } : {});
  return (table) => new TableClient(storage.tableServiceUri, table, credential);
}

/** Creates any missing table (an existing one is not an error). */
export async function ensureTables(tables: LedgerTables): Promise<void> {
  await Promise.all(Object.values(tables).map((client: TableClient) => client.createTable()));
}

/** HTTP status of a failed Table Storage call, if it was one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "statusCode" in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

export const isConflict = (error: unknown): boolean => statusOf(error) === 409;
export const isPreconditionFailed = (error: unknown): boolean => statusOf(error) === 412;
export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
