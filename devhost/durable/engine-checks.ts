import { DurableErrorCode, DurableRequestError } from "./errors.js";
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
