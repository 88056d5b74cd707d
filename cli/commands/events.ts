import { positionalArgs } from "../args.js";
import type { EventView } from "../api-client.js";
import { ExitCode } from "../exit-codes.js";
import { table } from "../output.js";
import type { Command } from "./command.js";

export const eventsCommand: Command = {
  name: "events",
  summary: "a job's audit timeline, oldest first",
  usage: "events <job_id>",
  options: [],
  async run({ line, api, out }) {
    const [jobId] = positionalArgs(line, "events", ["job_id"]);
    const events: EventView[] = [];
    let continuation: string | undefined;
    do {
      const page = await api.events(jobId!, continuation);
      events.push(...page.events);
      continuation = page.continuation;
    } while (continuation);
    out.result({ job_id: jobId, events }, () =>
      out.line(
        table(
          events.map((e) => [e.at, e.type, e.step_id ? `${e.step_id}${e.attempt_no ? `#${e.attempt_no}` : ""}` : "", describe(e)]),
          ["AT", "EVENT", "STEP", "DETAILS"],
        ),
      ),
    );
    return ExitCode.ok;
  },
};

/** The gist of an event: a transition `A → B`, plus the error when there is one. */
export function describe(event: EventView): string {
  const details = event.details ?? {};
  const parts: string[] = [];
  if (typeof details.from === "string" && typeof details.to === "string") parts.push(`${details.from} → ${details.to}`);
  const error = details.error as { code?: string; message?: string } | null | undefined;
  if (error?.code) parts.push(`${error.code}: ${error.message ?? ""}`.trim());
  if (typeof details.reason === "string") parts.push(details.reason);
  if (parts.length === 0) {
    const rest = Object.entries(details).filter(([, v]) => v !== null && typeof v !== "object");
    parts.push(rest.map(([k, v]) => `${k}=${String(v)}`).join(" "));
  }
  return parts.join("  ");
}
