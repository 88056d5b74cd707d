/**
 * Reads what the `durable-functions` executor left open after a replay. The
 * library assigns each task its sequence number (the `EventId` of its scheduling
 * event) as the orchestrator yields it, including the hidden tasks of
 * `callActivityWithRetry` (one retry timer, then one new attempt, per failure):
 * the host must schedule exactly those ids, so it reads them from the executor's
 * open tasks rather than re-deriving the numbering. Shapes are duck-typed on the
 * library's action types (the same numbers the extension protocol uses).
 */

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

export const unsupportedActions: ReadonlyMap<number, string> = new Map([
  [ActionType.CallEntity, "callEntity"],
  [ActionType.CallHttp, "callHttp"],
  [ActionType.SignalEntity, "signalEntity"],
  [ActionType.LockEntities, "lock"],
  [ActionType.ReleaseEntities, "lock release"],
]);

export interface LibraryAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date;
  externalEventName?: string;
  retryOptions?: LibraryRetryOptions;
  compoundActions?: LibraryAction[];
}

export interface LibraryRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
}

export interface LibraryTask {
  id: number | string | false;
  action: LibraryAction | "noOp";
  parent?: LibraryTask & { retryOptions?: LibraryRetryOptions; isWaitingOnTimer?: boolean; attemptNumber?: number; innerTask?: LibraryTask };
}

/** Work an open task stands for. Inputs are JSON texts. */
export type OpenTask =
  | { kind: "activity"; id: number; name: string; input?: string }
  | { kind: "subOrchestration"; id: number; name: string; instanceId?: string; input?: string }
  | { kind: "timer"; id: number; fireAt: Date; retry?: boolean };

/** Action inputs: `durable-functions` pre-encodes string inputs as JSON text and leaves other values as they are. */
export function actionInputText(action: LibraryAction, preEncoded: boolean): string | undefined {
  if (action.input === undefined) return undefined;
  if (preEncoded && typeof action.input === "string") return action.input;
  return JSON.stringify(action.input);
}

function describe(action: LibraryAction, id: number): OpenTask | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return { kind: "activity", id, name: action.functionName!, input: actionInputText(action, true) };
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return {
        kind: "subOrchestration",
        id,
        name: action.functionName!,
        ...(action.instanceId ? { instanceId: action.instanceId } : {}),
        input: actionInputText(action, false),
      };
    case ActionType.CreateTimer:
      // A cancelled timer stays open too: the extension keeps it scheduled (see the dispatcher).
      return { kind: "timer", id, fireAt: new Date(action.fireAt!) };
    default:
      return undefined;
  }
}

/** The retry schedule of Durable Task's RetryInterceptor: first × coefficient^(failures−1), capped. */
export function retryDelayMs(options: LibraryRetryOptions, failures: number): number {
  const coefficient = options.backoffCoefficient ?? 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, Math.max(0, failures - 1));
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 ? Math.min(delay, cap) : delay;
}

/**
 * Every open numbered task, by ascending id. `now` is the orchestration's
 * current time, from which new retry timers are due.
 */
export function readOpenTasks(openTasks: Record<string, LibraryTask>, now: Date): OpenTask[] {
  const result: OpenTask[] = [];
  for (const task of Object.values(openTasks)) {
    if (typeof task.id !== "number") continue;
    const id = task.id;
    if (task.action !== "noOp") {
      const described = describe(task.action, id);
      if (described) result.push(described);
      continue;
    }
    const retry = task.parent;
    if (!retry?.retryOptions || !retry.innerTask || retry.innerTask.action === "noOp") continue;
    if (retry.isWaitingOnTimer) {
      const failures = (retry.attemptNumber ?? 2) - 1;
      const fireAt = new Date(now.getTime() + retryDelayMs(retry.retryOptions, failures));
      result.push({ kind: "timer", id, fireAt, retry: true });
    } else {
      const described = describe(retry.innerTask.action, id);
      if (described) result.push(described);
    }
  }
  return result.sort((a, b) => a.id - b.id);
}

/** Depth-first list of the leaf actions (compound `Task.all`/`Task.any` actions opened up). */
export function flattenActions(actions: unknown): LibraryAction[] {
  const out: LibraryAction[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const action = value as LibraryAction;
      if (action.compoundActions) action.compoundActions.forEach(visit);
      else out.push(action);
    }
  };
  visit(actions);
  return out;
}
