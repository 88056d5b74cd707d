import type { AppServices } from "../../services.js";
import type { DirectiveMessage } from "../../contracts/index.js";
import { directiveMessage } from "../../bus/index.js";
import { TopicNames } from "../../config/names.js";

/**
 * Publishes a DIRECTIVE or CANCEL to the `directives` topic. Its messageId
 * (`job:step:attempt:TYPE`) lets duplicate detection drop a re-publish after
 * a retry of this activity.
 */
export async function publishMessage(message: DirectiveMessage, services: Pick<AppServices, "bus">): Promise<void> {
  await services.bus.send(TopicNames.directives, [directiveMessage(message)]);
}
