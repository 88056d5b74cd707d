import { fromJsonText, type FailureDetails, type HistoryEvent } from "./history.js";
import { ActionType, actionInputText, flattenActions, readOpenTasks, unsupportedActions, type LibraryTask, type OpenTask } from "./open-tasks.js";

/** Replay schema V2: compound actions, no long-timer splitting (that needs extension-side settings). */
const upperSchemaVersion = 1;

export const ReplayStatus = {
  running: "running",
  completed: "completed",
  failed: "failed",
  continuedAsNew: "continuedAsNew",
} as const;
export type ReplayStatus = (typeof ReplayStatus)[keyof typeof ReplayStatus];

export interface ReplayOutcome {
  status: ReplayStatus;
  /** JSON text of the return value, when completed. */
  output?: string;
  failure?: FailureDetails;
  /** JSON text of the custom status, when set. */
  customStatus?: string;
  /** JSON text of the next execution's input, when continued as new. */
  continueAsNewInput?: string;
  openTasks: OpenTask[];
  /** `waitForExternalEvent` calls so far in this execution, by event name. */
  waits: Map<string, number>;
}

interface ExecutorView {
  openTasks: Record<string, LibraryTask>;
}
interface DfView {
  taskOrchestratorExecutor?: ExecutorView;
  currentUtcDateTime: Date;
}
interface OrchestratorStateView {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  failureDetails?: FailureDetails;
}

const outOfProcDataLabel = "\n\n$OutOfProcData$:";

/** The orchestration trigger's value, as the Durable extension sends it (JSON text of this object). */
export interface OrchestratorTrigger {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | null;
  upperSchemaVersion: number;
}

/**
 * Runs the orchestrator once over `trigger` and reports the context the library used, with
 * either the orchestrator state it returned (as the extension reads it back) or the error the
 * invocation failed with. Throws only when the orchestrator could not be invoked at all.
 */
export type OrchestratorRun = (trigger: OrchestratorTrigger) => Promise<{ context: unknown; state?: unknown; error?: Error }>;

/**
 * Runs one orchestrator episode through the library's own executor over `history`
 * (which must start with an OrchestratorStarted event) and reports what it decided.
 */
export async function replay(
  run: OrchestratorRun,
  instanceId: string,
  history: HistoryEvent[],
  input: string | undefined,
  parentInstanceId: string | undefined,
): Promise<ReplayOutcome> {
  const trigger: OrchestratorTrigger = {
    history,
    // The extension writes null, not nothing, for a missing input or parent.
    input: fromJsonText(input) ?? null,
    instanceId,
    isReplaying: false,
    parentInstanceId: parentInstanceId ?? null,
    upperSchemaVersion,
  };
  const ran = await run(trigger);
  const context = ran.context;
  let state: OrchestratorStateView;
  const thrown = ran.error;
  if (thrown) {
    const at = thrown.message.indexOf(outOfProcDataLabel);
    if (at < 0) throw thrown;
    state = JSON.parse(thrown.message.slice(at + outOfProcDataLabel.length)) as OrchestratorStateView;
    thrown.message = thrown.message.slice(0, at);
  } else {
    state = ran.state as OrchestratorStateView;
  }
  const df = (context as unknown as { df?: DfView }).df;
  if (!df?.taskOrchestratorExecutor) throw new Error("The orchestrator did not run through the durable-functions executor");
  const actions = flattenActions(state.actions);
  const waits = new Map<string, number>();
  for (const action of actions) {
    const unsupported = unsupportedActions.get(action.actionType);
    if (unsupported) {
      return failedOutcome(`devhost does not support ${unsupported} (entities and durable HTTP are not emulated)`, waits);
    }
    if (action.actionType === ActionType.WaitForExternalEvent && action.externalEventName) {
      waits.set(action.externalEventName, (waits.get(action.externalEventName) ?? 0) + 1);
    }
  }
  const customStatus = state.customStatus === undefined ? undefined : JSON.stringify(state.customStatus);
  const base = { waits, openTasks: [] as OpenTask[], ...(customStatus !== undefined ? { customStatus } : {}) };
  if (thrown) {
    // The library's failure error carries a flag, not the orchestrator's error, in its message; the state has the message.
    const message = state.error ?? thrown.message;
    const failure = state.failureDetails ?? {
      ErrorType: "Error",
      ErrorMessage: message,
      ...(thrown.stack ? { StackTrace: thrown.stack } : {}),
    };
    return { ...base, status: ReplayStatus.failed, failure: { ...failure, ErrorMessage: message } };
  }
  if (state.isDone) {
    const next = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
    if (next) return { ...base, status: ReplayStatus.continuedAsNew, continueAsNewInput: actionInputText(next, true) };
    const output = state.output === undefined ? undefined : JSON.stringify(state.output);
    return { ...base, status: ReplayStatus.completed, ...(output !== undefined ? { output } : {}) };
  }
  const openTasks = readOpenTasks(df.taskOrchestratorExecutor.openTasks, new Date(df.currentUtcDateTime));
  return { ...base, status: ReplayStatus.running, openTasks };
}

function failedOutcome(message: string, waits: Map<string, number>): ReplayOutcome {
  return {
    status: ReplayStatus.failed,
    failure: { ErrorType: "NotSupportedError", ErrorMessage: message },
    openTasks: [],
    waits,
  };
}
