import type { CapturedApp } from "../loader.js";
import { HistoryEventType, newEvent, type FailureDetails, type HistoryEvent } from "./history.js";
import type { DurableInvoker } from "./worker-runs.js";

export const TriggerTypes = {
  orchestration: "orchestrationTrigger",
  activity: "activityTrigger",
} as const;

/**
 * Runs one activity and returns its completion event (TaskCompleted or TaskFailed
 * for `taskScheduledId`). Never throws: every failure becomes a TaskFailed.
 */
export async function runActivity(
  app: CapturedApp,
  invoker: DurableInvoker,
  name: string,
  inputText: string | undefined,
  taskScheduledId: number,
): Promise<HistoryEvent> {
  const fn = app.functions.get(name);
  if (!fn || fn.trigger.binding.type !== TriggerTypes.activity) {
    const message = `The function '${name}' doesn't exist, is disabled, or is not an activity function.`;
    return failed(taskScheduledId, name, { ErrorType: "FunctionNotFound", ErrorMessage: message });
  }
  const result = await invoker.activity(fn, inputText);
  if ("error" in result) return failed(taskScheduledId, name, failureDetailsOf(result.error));
  return newEvent(HistoryEventType.TaskCompleted, { TaskScheduledId: taskScheduledId, Result: result.output ?? "null" });
}

function failed(taskScheduledId: number, name: string, details: FailureDetails): HistoryEvent {
  return newEvent(HistoryEventType.TaskFailed, {
    TaskScheduledId: taskScheduledId,
    Reason: `Activity function '${name}' failed: ${details.ErrorMessage}`,
    Details: details.StackTrace ?? details.ErrorMessage,
    FailureDetails: details,
  });
}

/**
 * The extension's failure details for a thrown value. When the app registered an
 * exception-properties provider, `durable-functions` has already serialized the
 * details (camelCase JSON) into the message; those are taken as they are.
 */
export function failureDetailsOf(error: unknown): FailureDetails {
  const err = error instanceof Error ? error : new Error(typeof error === "string" ? error : JSON.stringify(error));
  const serialized = parseSerializedDetails(err.message);
  if (serialized) return serialized;
  return {
    ErrorType: err.name || "Error",
    ErrorMessage: err.message,
    ...(err.stack ? { StackTrace: err.stack } : {}),
    IsNonRetriable: false,
  };
}

function parseSerializedDetails(message: string): FailureDetails | undefined {
  if (!message.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(message) as {
      errorType?: unknown;
      errorMessage?: unknown;
      stackTrace?: unknown;
      isNonRetriable?: unknown;
      properties?: Record<string, unknown>;
    };
    if (typeof parsed.errorType !== "string" || typeof parsed.errorMessage !== "string") return undefined;
    return {
      ErrorType: parsed.errorType,
      ErrorMessage: parsed.errorMessage,
      ...(typeof parsed.stackTrace === "string" ? { StackTrace: parsed.stackTrace } : {}),
      IsNonRetriable: parsed.isNonRetriable === true,
      ...(parsed.properties ? { Properties: parsed.properties } : {}),
    };
  } catch {
    return undefined;
  }
}
