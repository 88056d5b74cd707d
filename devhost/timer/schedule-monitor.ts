import { RestError, TableClient } from "@azure/data-tables";

/** The schedule status the Functions host keeps per timer function (`useMonitor`). */
export interface ScheduleStatus {
  last: Date;
  next: Date;
  lastUpdated: Date;
}

const partitionKey = "timer";

/** Persists each timer's last and next occurrence, so a restart can tell that a run was missed. */
export class ScheduleMonitor {
  private readonly table: TableClient;

  constructor(connectionString: string, tableName: string) {
    this.table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  }

  async start(): Promise<void> {
    await this.table.createTable();
  }

  async get(functionName: string): Promise<ScheduleStatus | undefined> {
    try {
      const entity = await this.table.getEntity<{ last: Date; next: Date; lastUpdated: Date }>(partitionKey, functionName);
      return { last: new Date(entity.last), next: new Date(entity.next), lastUpdated: new Date(entity.lastUpdated) };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async set(functionName: string, status: ScheduleStatus): Promise<void> {
    await this.table.upsertEntity({ partitionKey, rowKey: functionName, ...status }, "Replace");
  }
}
