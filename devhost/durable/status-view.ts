import { eventTypeName, fromJsonText, HistoryEventType, type HistoryEvent } from "./history.js";
import type { InstanceState } from "./instance-state.js";

export interface StatusOptions {
  showInput?: boolean;
  showHistory?: boolean;
  showHistoryOutput?: boolean;
}

/** The instance status document of the Durable HTTP API (`DurableOrchestrationStatus` init). */
export function statusBody(state: InstanceState, history: HistoryEvent[] | undefined, options: StatusOptions = {}): Record<string, unknown> {
  return {
    name: state.name,
    instanceId: state.instanceId,
    runtimeStatus: state.runtimeStatus,
    input: options.showInput === false ? null : (parse(state.input) ?? null),
    customStatus: parse(state.customStatus) ?? null,
    output: parse(state.output) ?? null,
    createdTime: state.createdTime,
    lastUpdatedTime: state.lastUpdatedTime,
    ...(history ? historyFields(history, options.showHistoryOutput === true) : {}),
  };
}

/** `history` is what `durable-functions` reads; `historyEvents` is the webhook API's name for it. */
function historyFields(history: HistoryEvent[], withOutput: boolean): Record<string, unknown> {
  const view = historyView(history, withOutput);
  return { history: view, historyEvents: view };
}

const hidden = new Set<number>([HistoryEventType.OrchestratorStarted, HistoryEventType.OrchestratorCompleted]);

/** History as the extension shows it: event type names, function names on completions, outputs on request. */
export function historyView(history: HistoryEvent[], withOutput: boolean): Array<Record<string, unknown>> {
  const scheduled = new Map<number, HistoryEvent>();
  for (const event of history) if (event.EventId >= 0) scheduled.set(event.EventId, event);
  return history
    .filter((event) => !hidden.has(event.EventType))
    .map((event) => {
      const view: Record<string, unknown> = {
        EventType: eventTypeName[event.EventType],
        EventId: event.EventId,
        Timestamp: event.Timestamp instanceof Date ? event.Timestamp.toISOString() : event.Timestamp,
      };
      const source = scheduled.get(event.TaskScheduledId ?? event.TimerId ?? -1);
      const name = event.Name ?? (event.TimerId === undefined ? source?.Name : undefined);
      if (name !== undefined) view.FunctionName = name;
      if (event.TaskScheduledId !== undefined) view.TaskScheduledId = event.TaskScheduledId;
      if (event.TimerId !== undefined) view.TimerId = event.TimerId;
      if (event.FireAt !== undefined) view.FireAt = event.FireAt;
      if (event.InstanceId !== undefined) view.InstanceId = event.InstanceId;
      if (event.OrchestrationStatus !== undefined) view.OrchestrationStatus = event.OrchestrationStatus;
      if (event.Reason !== undefined) view.Reason = event.Reason;
      if (event.FailureDetails !== undefined) view.FailureDetails = event.FailureDetails;
      if (source && event.TaskScheduledId !== undefined) view.ScheduledTime = source.Timestamp;
      if (withOutput) {
        if (event.Input !== undefined) view.Input = safeParse(event.Input);
        if (event.Result !== undefined) view.Result = safeParse(event.Result);
      }
      return view;
    });
}

function parse(text: string | undefined): unknown {
  return fromJsonText(text);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
