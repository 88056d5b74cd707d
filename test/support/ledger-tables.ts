import { TableClient } from "@azure/data-tables";
import type { TableNames } from "../../lib/config/names.js";

/** Rows in every ledger table; a table that does not exist yet counts as empty. */
export async function countLedgerRows(connectionString: string, tables: TableNames): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [kind, name] of Object.entries(tables)) {
    const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
    let count = 0;
    try {
      for await (const _ of client.listEntities()) count++;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    counts[kind] = count;
  }
  return counts;
}
