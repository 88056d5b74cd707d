import { intOption } from "../args.js";
import { CliNotFoundError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { table, type Output } from "../output.js";
import { queueName, type DeadLetter, type DeadLetterBackend, type DeadLetterQueue } from "../dlq/types.js";
import type { Command, CommandContext } from "./command.js";

/** @default 50 dead letters peeked per queue by `list` */
const defaultListLimit = 50;

export const dlqCommand: Command = {
  name: "dlq",
  summary: "dead letters of directives/<service> and replies/orchestrator: list, show, replay, purge",
  usage: "dlq list|show <seq>|replay <seq>|purge [--topic T] [--subscription S] [--limit N] [--keep-id] [--yes] [--devhost | --namespace FQDN]",
  options: ["topic", "subscription", "limit", "keep-id", "yes", "devhost", "namespace"],
  async run(context) {
    const [action, ...rest] = context.line.positionals;
    const wants = (n: number, what: string) => {
      if (rest.length < n) throw new UsageError(`dlq ${action} needs <${what}>`);
      if (rest.length > n) throw new UsageError(`dlq ${action}: unexpected argument "${rest[n]}"`);
    };
    if (action === "list" || action === "purge") wants(0, "");
    else if (action === "show" || action === "replay") wants(1, "sequence number");
    else throw new UsageError(action ? `unknown dlq action "${action}"; use list, show, replay or purge` : "dlq needs an action: list, show, replay or purge");
    if (action === "purge" && !context.line.values.yes) throw new UsageError("dlq purge deletes dead letters for good; add --yes to confirm");
    if (rest[0] !== undefined && !/^\d+$/.test(rest[0])) throw new UsageError(`"${rest[0]}" is not a sequence number`);

    const { values } = context.line;
    const { selectBackend } = await import("../dlq/select.js");
    const backend = await selectBackend(
      context.api,
      { ...(values.devhost ? { devhost: true } : {}), ...(values.namespace ? { namespace: values.namespace } : {}) },
      context.env,
    );
    try {
      const queues = await selectQueues(backend, values.topic, values.subscription);
      if (action === "list") return await list(context, backend, queues);
      if (action === "purge") return await purge(context, backend, queues);
      return await one(context, backend, queues, rest[0]!, action as "show" | "replay");
    } finally {
      await backend.close();
    }
  },
};

/** The queues `--topic` / `--subscription` name; all known ones by default. */
async function selectQueues(backend: DeadLetterBackend, topic: string | undefined, subscription: string | undefined): Promise<DeadLetterQueue[]> {
  const known = await backend.queues();
  if (topic !== undefined && subscription !== undefined) return [{ topic, subscription }];
  const chosen = known.filter((q) => (topic === undefined || q.topic === topic) && (subscription === undefined || q.subscription === subscription));
  if (chosen.length === 0) {
    throw new UsageError(
      `no known subscription matches${topic ? ` --topic ${topic}` : ""}${subscription ? ` --subscription ${subscription}` : ""}; known: ${known.map(queueName).join(", ")}`,
    );
  }
  return chosen;
}

async function list({ line, out }: CommandContext, backend: DeadLetterBackend, queues: DeadLetterQueue[]): Promise<ExitCode> {
  const limit = intOption(line.values.limit, "limit", 1, 5000) ?? defaultListLimit;
  const letters: DeadLetter[] = [];
  for (const queue of queues) letters.push(...(await backend.list(queue, limit)));
  out.result({ backend: backend.name, queues: queues.map(queueName), items: letters }, () => {
    if (letters.length === 0) return out.line(`no dead letters in ${queues.map(queueName).join(", ")}`);
    out.line(
      table(
        letters.map((l) => [queueName(l), l.sequenceNumber, l.messageId ?? "", l.deadLetterReason ?? "", oneLine(l.deadLetterErrorDescription ?? "", 60)]),
        ["QUEUE", "SEQUENCE", "MESSAGE ID", "REASON", "DESCRIPTION"],
      ),
    );
  });
  return ExitCode.ok;
}

/** `show` / `replay` of one sequence number, looked up in every selected queue. */
async function one(
  { line, out }: CommandContext,
  backend: DeadLetterBackend,
  queues: DeadLetterQueue[],
  sequence: string,
  action: "show" | "replay",
): Promise<ExitCode> {
  const found: DeadLetter[] = [];
  for (const queue of queues) {
    const letter = await backend.show(queue, sequence);
    if (letter) found.push(letter);
  }
  const where = queues.map(queueName).join(", ");
  if (found.length === 0) throw new CliNotFoundError(`no dead letter ${sequence} in ${where}`);
  if (found.length > 1) throw new UsageError(`dead letter ${sequence} is in ${found.map(queueName).join(" and ")}; pick one with --topic and --subscription`);
  const letter = found[0]!;
  if (action === "show") {
    out.result(letter, () => printLetter(out, letter));
    return ExitCode.ok;
  }
  const outcome = await backend.replay(letter, sequence, { keepId: line.values["keep-id"] ?? false });
  if (!outcome) throw new CliNotFoundError(`dead letter ${sequence} left ${queueName(letter)} before it could be replayed`);
  out.result({ backend: backend.name, replayed: outcome.letter, mode: outcome.mode, messageId: outcome.messageId }, () =>
    out.line(
      outcome.mode === "resent-to-topic"
        ? `replayed ${sequence} from ${queueName(letter)}: sent to topic ${letter.topic} as ${outcome.messageId ?? "(no id)"}, dead letter completed`
        : `replayed ${sequence} from ${queueName(letter)}: back on the subscription as ${outcome.messageId ?? "(no id)"}`,
    ),
  );
  return ExitCode.ok;
}

async function purge({ out }: CommandContext, backend: DeadLetterBackend, queues: DeadLetterQueue[]): Promise<ExitCode> {
  const purged: Record<string, number> = {};
  for (const queue of queues) purged[queueName(queue)] = await backend.purge(queue);
  out.result({ backend: backend.name, purged }, () => {
    for (const [queue, count] of Object.entries(purged)) out.line(`purged ${count} dead letter${count === 1 ? "" : "s"} from ${queue}`);
  });
  return ExitCode.ok;
}

function printLetter(out: Output, l: DeadLetter): void {
  const rows: Array<[string, string | number | undefined]> = [
    ["queue", queueName(l)],
    ["sequence", l.sequenceNumber],
    ["message id", l.messageId],
    ["subject", l.subject],
    ["correlation", l.correlationId],
    ["content type", l.contentType],
    ["enqueued", l.enqueuedTimeUtc],
    ["dead-lettered", l.deadLetteredAt],
    ["deliveries", l.deliveryCount],
    ["reason", l.deadLetterReason],
    ["description", l.deadLetterErrorDescription],
  ];
  out.line(table(rows.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [k, String(v)])));
  const props = Object.entries(l.applicationProperties);
  if (props.length > 0) out.line(`properties\n${props.map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`).join("\n")}`);
  out.line(`body\n${JSON.stringify(l.body, null, 2)}`);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
