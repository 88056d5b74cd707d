import type { TestProject } from "vitest/node";
import { startAzurite, type RunningAzurite } from "../../devhost/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

let azurite: RunningAzurite | undefined;

/** One in-memory Azurite on free ports for the whole run; tests isolate themselves by table name. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
