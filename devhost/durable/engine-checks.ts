import { DurableErrorCode, DurableRequestError } from "./errors.js";
import type { CapturedApp } from "../loader.js";
import { TriggerTypes } from "./activities.js";
import type { ParentRef } from "./instance-state.js";
import { ReplayStatus, type ReplayOutcome } from "./replay.js";

/** Table keys cannot hold these; nor can they hold control characters. */
const forbiddenIdCharacters = /[/\\#?]/;
const hasControlCharacter = (id: string) => [...id].some((c) => c.charCodeAt(0) < 32 || (c.charCodeAt(0) >= 127 && c.charCodeAt(0) < 160));

/** Refuses an instance id that cannot become a table key. */
export function assertInstanceId(instanceId: string): void {
  if (instanceId === "" || instanceId.length > 256 || forbiddenIdCharacters.test(instanceId) || hasControlCharacter(instanceId)) {
    throw new DurableRequestError(DurableErrorCode.invalidRequest, `Invalid instance id "${instanceId}"`);
  }
}

export function sameParent(a: ParentRef | undefined, b: ParentRef): boolean {
  return !!a && a.instanceId === b.instanceId && a.executionId === b.executionId && a.taskScheduledId === b.taskScheduledId;
}

export function failedReplay(message: string): ReplayOutcome {
  return {
    status: ReplayStatus.failed,
    failure: { ErrorType: "OrchestratorError", ErrorMessage: message },
    openTasks: [],
    waits: new Map(),
  };
}

export function assertJson(text: string, what: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new DurableRequestError(DurableErrorCode.invalidRequest, `The ${what} is not valid JSON`);
  }
}

/** Refuses to schedule a function the app does not have as an orchestrator, as the extension does. */
export function assertOrchestrator(app: CapturedApp, name: string): void {
  const fn = app.functions.get(name);
  if (!fn || fn.trigger.binding.type !== TriggerTypes.orchestration) {
    throw new DurableRequestError(
      DurableErrorCode.orchestratorNotFound,
      `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
    );
  }
}
