/**
 * History events in the shape the `durable-functions` replay executor reads
 * (Durable Task Framework names, PascalCase): it matches completions to tasks by
 * `TaskScheduledId` / `TimerId` / `Name` and drives `currentUtcDateTime` from
 * `OrchestratorStarted` timestamps.
 */

/** Numeric values match the library's `HistoryEventType`. */
export const HistoryEventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type HistoryEventType = (typeof HistoryEventType)[keyof typeof HistoryEventType];

export const eventTypeName: Record<number, string> = Object.fromEntries(Object.entries(HistoryEventType).map(([name, value]) => [value, name]));

/** The wire DTO the library turns into a `TaskFailedError`. */
export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
  InnerFailure?: FailureDetails;
}

/** One history event. Only the fields of its type are set. */
export interface HistoryEvent {
  EventType: HistoryEventType;
  /** Sequence number for scheduling events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated); -1 otherwise. */
  EventId: number;
  IsPlayed: boolean;
  /** ISO string when stored; the library converts it to a Date in place. */
  Timestamp: string | Date;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetails;
  OrchestrationStatus?: string;
  /** ExecutionStarted: the orchestration version (`context.df.version`). */
  Version?: string;
  /** ExecutionStarted: the parent, for sub-orchestrations. */
  ParentInstance?: { InstanceId: string; ExecutionId: string; TaskScheduledId: number; Name: string };
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
}

export function newEvent(type: HistoryEventType, fields: Partial<HistoryEvent> = {}, at = new Date()): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

/** Which scheduling event a completion answers, so a completion is only ever matched to its own kind. */
export const completionOf: Partial<Record<HistoryEventType, { scheduled: HistoryEventType; idField: "TaskScheduledId" | "TimerId" }>> = {
  [HistoryEventType.TaskCompleted]: { scheduled: HistoryEventType.TaskScheduled, idField: "TaskScheduledId" },
  [HistoryEventType.TaskFailed]: { scheduled: HistoryEventType.TaskScheduled, idField: "TaskScheduledId" },
  [HistoryEventType.TimerFired]: { scheduled: HistoryEventType.TimerCreated, idField: "TimerId" },
  [HistoryEventType.SubOrchestrationInstanceCompleted]: {
    scheduled: HistoryEventType.SubOrchestrationInstanceCreated,
    idField: "TaskScheduledId",
  },
  [HistoryEventType.SubOrchestrationInstanceFailed]: {
    scheduled: HistoryEventType.SubOrchestrationInstanceCreated,
    idField: "TaskScheduledId",
  },
};

/** Serializes a value the way the extension stores inputs and results (JSON text; `undefined` stays absent). */
export function toJsonText(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export function fromJsonText(text: string | undefined): unknown {
  return text === undefined || text === "" ? undefined : JSON.parse(text);
}
