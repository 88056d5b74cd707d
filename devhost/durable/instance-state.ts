import { randomUUID } from "node:crypto";
import type { FailureDetails } from "./history.js";

/** The status values the Durable client understands (`OrchestrationRuntimeStatus`). */
export const RuntimeStatus = {
  Pending: "Pending",
  Running: "Running",
  Completed: "Completed",
  ContinuedAsNew: "ContinuedAsNew",
  Failed: "Failed",
  Canceled: "Canceled",
  Terminated: "Terminated",
  Suspended: "Suspended",
} as const;
export type RuntimeStatus = (typeof RuntimeStatus)[keyof typeof RuntimeStatus];

const terminal: ReadonlySet<string> = new Set([RuntimeStatus.Completed, RuntimeStatus.Failed, RuntimeStatus.Canceled, RuntimeStatus.Terminated]);

export function isTerminal(status: RuntimeStatus): boolean {
  return terminal.has(status);
}

/** Where a sub-orchestration reports back to. */
export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
}

/**
 * The authoritative state of one instance. It lives in the instance's history
 * partition, so it is written in the same batch as the history it summarizes.
 */
export interface InstanceState {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON texts, absent when undefined. */
  input?: string;
  output?: string;
  customStatus?: string;
  failure?: FailureDetails;
  createdTime: string;
  lastUpdatedTime: string;
  /** History chunks (one per committed episode) of the current execution. */
  chunkCount: number;
  parent?: ParentRef;
  /** The orchestration version it was created with (host.json `defaultVersion`); its `ExecutionStarted` carries it. */
  version?: string;
  /** Set once a finished sub-orchestration's result reached its parent. */
  parentNotified?: boolean;
}

/** A new execution that has not started: Pending, no history yet. */
export function newInstanceState(instanceId: string, name: string, input: string | undefined, parent: ParentRef | undefined, version?: string): InstanceState {
  const now = new Date().toISOString();
  return {
    instanceId,
    name,
    executionId: randomUUID(),
    runtimeStatus: RuntimeStatus.Pending,
    ...(input !== undefined ? { input } : {}),
    createdTime: now,
    lastUpdatedTime: now,
    chunkCount: 0,
    ...(parent ? { parent } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}
