import type { HistoryEvent } from "./history.js";
import type { OrchestratorTrigger } from "./replay.js";

/** The JSON text of each played event: history is append-only, and a played event never changes. */
const playedText = new WeakMap<HistoryEvent, string>();

function eventText(event: HistoryEvent): string {
  if (!event.IsPlayed) return JSON.stringify(event);
  let text = playedText.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    playedText.set(event, text);
  }
  return text;
}

/**
 * `JSON.stringify(trigger)`, the text the extension sends as the orchestration trigger, built
 * from each event's kept text: every episode sends the whole history, and serialising it afresh
 * wrote every past event again on every episode.
 */
export function orchestrationTriggerText(trigger: OrchestratorTrigger): string {
  const { history, ...rest } = trigger;
  const others = JSON.stringify(rest);
  const events = `"history":[${history.map(eventText).join(",")}]`;
  return others === "{}" ? `{${events}}` : `{${events},${others.slice(1)}`;
}
