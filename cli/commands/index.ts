import type { Command } from "./command.js";
import { controlCommands } from "./control.js";
import { dlqCommand } from "./dlq.js";
import { eventsCommand } from "./events.js";
import { jobsCommand } from "./jobs.js";
import { outputsCommand } from "./outputs.js";
import { statsCommand } from "./stats.js";
import { statusCommand } from "./status.js";
import { submitCommand } from "./submit.js";
import { decisionCommands, reviewCommand } from "./review.js";

export type { Command, CommandContext } from "./command.js";

export const commands: readonly Command[] = [
  submitCommand,
  statusCommand,
  outputsCommand,
  jobsCommand,
  eventsCommand,
  ...controlCommands,
  reviewCommand,
  ...decisionCommands,
  dlqCommand,
  statsCommand,
];
