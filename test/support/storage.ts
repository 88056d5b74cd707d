import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import { tableNames } from "../../lib/config/settings.js";
import type { TableNames } from "../../lib/config/names.js";

/** Connection string of the run's Azurite (started by the global setup). */
export function azuriteConnectionString(): string {
  return inject("azuriteConnectionString");
}

/** Ledger table names unique to one test, so tests never see each other's rows. */
export function uniqueTableNames(): TableNames {
  return tableNames({ LUCIUS_TABLE_PREFIX: `t${randomBytes(5).toString("hex")}` });
}

/** The storage settings of the Azurite (or proxy) at `connectionString`, as `Ledger.connect` takes them. */
export function storageAt(connectionString: string) {
  return { kind: "connectionString" as const, connectionString };
}
