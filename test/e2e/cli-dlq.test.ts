import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startCliDevhost, type CliDevhost } from "./cli-harness.js";

let dh: CliDevhost;
beforeAll(async () => {
  dh = await startCliDevhost({ workers: false });
});
afterAll(() => dh?.stop());

interface Letter {
  topic: string;
  subscription: string;
  sequenceNumber: string;
  messageId: string;
  deadLetterReason: string;
  deadLetterErrorDescription: string;
  deadLetteredAt: string;
  body: unknown;
  applicationProperties: Record<string, unknown>;
}

/** Sends replies the orchestrator cannot parse: it dead-letters them with the schema errors. */
async function sendMalformedReplies(ids: string[]): Promise<void> {
  const response = await fetch(`${dh.host.url}/_devhost/servicebus/topics/replies/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": dh.host.key },
    body: JSON.stringify({
      messages: ids.map((messageId) => ({ messageId, body: { not_a_reply: messageId }, applicationProperties: { origin: "cli-test" } })),
    }),
  });
  expect(response.status).toBe(200);
}

async function listReplies(): Promise<Letter[]> {
  const run = await dh.lucius(["dlq", "list", "--topic", "replies", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return json<{ items: Letter[] }>(run).items;
}

/** Polls until `predicate` holds for the replies DLQ (the orchestrator settles asynchronously). */
async function until(predicate: (letters: Letter[]) => boolean, what: string): Promise<Letter[]> {
  const deadline = Date.now() + 20_000;
  let letters: Letter[] = [];
  while (Date.now() < deadline) {
    letters = await listReplies();
    if (predicate(letters)) return letters;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`replies DLQ never ${what}: ${JSON.stringify(letters)}`);
}

describe("lucius dlq against devhost", () => {
  it("lists, shows, replays and purges the dead letters of replies/orchestrator", async () => {
    const ids = [`bad-${Date.now()}-a`, `bad-${Date.now()}-b`];
    await sendMalformedReplies(ids);
    const letters = await until((l) => l.length === 2, "held both malformed replies");
    expect(letters.map((l) => l.messageId).sort()).toEqual([...ids].sort());
    for (const letter of letters) {
      expect(letter).toMatchObject({
        topic: "replies",
        subscription: "orchestrator",
        deadLetterReason: "InvalidReply",
        applicationProperties: { origin: "cli-test" },
      });
      expect(letter.deadLetterErrorDescription).toContain("type");
    }

    // Without --topic: every known subscription's DLQ is listed.
    const all = json<{ backend: string; queues: string[]; items: Letter[] }>(await dh.lucius(["dlq", "list", "--json"]));
    expect(all.backend).toBe("devhost");
    expect(all.queues).toEqual(
      expect.arrayContaining(["directives/platform-ocr", "directives/platform-embedding", "directives/platform-sis", "replies/orchestrator"]),
    );
    expect(all.items).toHaveLength(2);
    const table = await dh.lucius(["dlq", "list"]);
    expect(table.stdout).toMatch(new RegExp(`^replies/orchestrator\\s+\\d+\\s+${ids[0]}\\s+InvalidReply\\s+`, "m"));

    const target = letters.find((l) => l.messageId === ids[0])!;
    const shown = json<Letter>(await dh.lucius(["dlq", "show", target.sequenceNumber, "--json"]));
    expect(shown).toMatchObject({ sequenceNumber: target.sequenceNumber, messageId: ids[0], body: { not_a_reply: ids[0] } });
    const human = await dh.lucius(["dlq", "show", target.sequenceNumber]);
    expect(human.stdout).toMatch(/^reason\s+InvalidReply$/m);
    expect(human.stdout).toContain(`"not_a_reply": "${ids[0]}"`);

    // Replay hands the message to the orchestrator again; still malformed, it comes back dead-lettered anew.
    const replay = await dh.lucius(["dlq", "replay", target.sequenceNumber]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`replayed ${target.sequenceNumber} from replies/orchestrator`);
    const after = await until(
      (l) => l.some((x) => x.messageId === ids[0] && x.deadLetteredAt !== target.deadLetteredAt),
      "dead-lettered the replayed message again",
    );
    expect(after).toHaveLength(2);

    const refused = await dh.lucius(["dlq", "purge", "--topic", "replies"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("add --yes");
    expect(await listReplies()).toHaveLength(2);

    const purged = await dh.lucius(["dlq", "purge", "--topic", "replies", "--yes", "--json"]);
    expect(json(purged)).toEqual({ backend: "devhost", purged: { "replies/orchestrator": 2 } });
    expect(await listReplies()).toEqual([]);
  }, 60_000);

  it("exits 4 for an unknown sequence number and 2 for a queue or flags that do not fit", async () => {
    const missing = await dh.lucius(["dlq", "show", "12345", "--devhost"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^error: no dead letter 12345 in directives\/platform-ocr, .*replies\/orchestrator/);
    for (const args of [
      ["dlq", "list", "--topic", "nope"],
      ["dlq", "show", "abc"],
      ["dlq", "frob"],
      ["dlq", "list", "--devhost", "--namespace", "x.servicebus.windows.net"],
    ]) {
      const run = await dh.lucius(args);
      expect(run.code, args.join(" ")).toBe(2);
    }
  });
});
