import { SubscriptionNames, TopicNames } from "../../lib/config/names.js";
import { EmulatorError, EmulatorErrorCode } from "./errors.js";
import { compileSqlFilter, type CompiledFilter } from "./sql-filter.js";

export interface SubscriptionOptions {
  name: string;
  /** A SQL filter (see {@link compileSqlFilter} for the syntax); omitted → every message. */
  filter?: string;
  /** Deliveries before a message is dead-lettered. @default 10 */
  maxDeliveryCount?: number;
  /** How long a received message stays locked to its receiver. @default 30000 */
  lockDurationMs?: number;
}

export interface TopicOptions {
  name: string;
  /** A second send of the same messageId within this window is accepted and dropped; 0 disables. @default 600000 */
  duplicateDetectionWindowMs?: number;
  subscriptions: SubscriptionOptions[];
}

export interface Topology {
  topics: TopicOptions[];
}

export interface ResolvedSubscription {
  topic: string;
  name: string;
  filterSource: string | undefined;
  matches: CompiledFilter;
  maxDeliveryCount: number;
  lockDurationMs: number;
}

export interface ResolvedTopic {
  name: string;
  duplicateDetectionWindowMs: number;
  subscriptions: Map<string, ResolvedSubscription>;
}

export const TopologyDefaults = {
  maxDeliveryCount: 10,
  lockDurationMs: 30_000,
  duplicateDetectionWindowMs: 10 * 60_000,
} as const;

/** The worker subscriptions on `directives` and the step type each one filters on (docs/architecture.md, "Contracts and the bus"). */
const stepTypeBySubscription: Record<(typeof SubscriptionNames.directives)[number], string> = {
  "platform-ocr": "OCR",
  "platform-embedding": "EMBEDDING",
  "platform-sis": "SIS",
};

/** Lucius's topology: `directives` filtered by `step_type` per worker, `replies` to the orchestrator. */
export function defaultTopology(): Topology {
  return {
    topics: [
      {
        name: TopicNames.directives,
        subscriptions: SubscriptionNames.directives.map((name) => ({
          name,
          filter: `step_type = '${stepTypeBySubscription[name]}'`,
        })),
      },
      { name: TopicNames.replies, subscriptions: SubscriptionNames.replies.map((name) => ({ name })) },
    ],
  };
}

/** Entity names as Service Bus allows them, minus characters that would need escaping in table keys. */
const entityName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/** Checks names and limits and compiles every filter; any mistake stops start-up with its reason. */
export function resolveTopology(topology: Topology): Map<string, ResolvedTopic> {
  const fail = (message: string): never => {
    throw new EmulatorError(EmulatorErrorCode.invalidTopology, `Service Bus topology: ${message}`);
  };
  const topics = new Map<string, ResolvedTopic>();
  for (const topic of topology.topics) {
    if (!entityName.test(topic.name)) fail(`topic name "${topic.name}" must match ${entityName.source}`);
    if (topics.has(topic.name)) fail(`topic "${topic.name}" is declared twice`);
    const window = topic.duplicateDetectionWindowMs ?? TopologyDefaults.duplicateDetectionWindowMs;
    if (!Number.isInteger(window) || window < 0) fail(`topic "${topic.name}": duplicateDetectionWindowMs must be ≥ 0`);
    const subscriptions = new Map<string, ResolvedSubscription>();
    for (const sub of topic.subscriptions) {
      const where = `subscription "${topic.name}/${sub.name}"`;
      if (!entityName.test(sub.name)) fail(`${where}: name must match ${entityName.source}`);
      if (subscriptions.has(sub.name)) fail(`${where} is declared twice`);
      const maxDeliveryCount = sub.maxDeliveryCount ?? TopologyDefaults.maxDeliveryCount;
      const lockDurationMs = sub.lockDurationMs ?? TopologyDefaults.lockDurationMs;
      if (!Number.isInteger(maxDeliveryCount) || maxDeliveryCount < 1) fail(`${where}: maxDeliveryCount must be ≥ 1`);
      if (!Number.isInteger(lockDurationMs) || lockDurationMs < 1) fail(`${where}: lockDurationMs must be ≥ 1`);
      let matches: CompiledFilter = () => true;
      if (sub.filter !== undefined) {
        try {
          matches = compileSqlFilter(sub.filter);
        } catch (error) {
          fail(`${where}: ${(error as Error).message}`);
        }
      }
      subscriptions.set(sub.name, {
        topic: topic.name,
        name: sub.name,
        filterSource: sub.filter,
        matches,
        maxDeliveryCount,
        lockDurationMs,
      });
    }
    topics.set(topic.name, { name: topic.name, duplicateDetectionWindowMs: window, subscriptions });
  }
  return topics;
}
