import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readDevhostKey } from "../../devhost/state-files.js";
import { packageRoot } from "../../lib/paths.js";
import { eventually } from "../fixtures/devhost-app/harness.js";
import { spawnDevhost, type DevhostChild } from "../support/devhost-child.js";
import { azuriteConnectionString } from "../support/storage.js";

const appFile = fileURLToPath(new URL("../fixtures/bus-restart-app/index.js", import.meta.url));
const hostJson = fileURLToPath(new URL("../fixtures/bus-restart-app/host.json", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "lucius-bus-restart-"));
const log = join(folder, "deliveries.jsonl");
// A task hub of its own: the bus's tables are per task hub, so no other devhost sees these messages.
const taskHub = `busrestart${randomBytes(4).toString("hex")}`;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
});

interface Delivery {
  pid: number;
  messageId: string;
  deliveryCount: number;
  body: unknown;
}

const deliveries = (): Delivery[] =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Delivery)
    : [];

function start(hold: boolean): Promise<DevhostChild> {
  const args = ["--port", "0", "--azurite", azuriteConnectionString(), "--task-hub", taskHub, "--host-json", hostJson, "--app", appFile, "--quiet"];
  const env = { ...process.env, BUS_RESTART_LOG: log, BUS_RESTART_HOLD: hold ? "1" : "0" };
  return spawnDevhost(args, { env, track: (child) => children.push(child) });
}

const admin = (child: DevhostChild, path: string, body?: unknown) =>
  fetch(`${child.url}/_devhost/servicebus${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-functions-key": readDevhostKey(join(packageRoot, ".devhost"))!, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("devhost's bus across a SIGKILL", () => {
  it("delivers after a restart what was sent before the kill, and again what the killed process held locked", async () => {
    const first = await start(true);
    const sent = await admin(first, "/topics/replies/messages", { messages: [1, 2, 3].map((n) => ({ messageId: `r-${n}`, body: { n } })) });
    expect(sent.status, await sent.clone().text()).toBe(200);
    // One call at a time, and it never finishes: r-1 is locked, r-2 and r-3 wait behind it.
    await eventually(
      async () => deliveries(),
      (seen) => seen.length === 1,
      "the first delivery",
    );
    // Its 30 s lock, never settled, dies with the process.
    await new Promise<void>((resolve) => {
      first.process.once("exit", () => resolve());
      first.process.kill("SIGKILL");
    });
    expect(deliveries().map((d) => d.messageId)).toEqual(["r-1"]);

    const second = await start(false);
    const after = await eventually(
      async () => deliveries().filter((d) => d.pid === second.process.pid),
      (seen) => seen.length >= 3,
      "every message delivered by the restarted devhost",
    );
    expect(after.map((d) => [d.messageId, d.body])).toEqual([
      ["r-1", { n: 1 }],
      ["r-2", { n: 2 }],
      ["r-3", { n: 3 }],
    ]);
    // The killed process's delivery was never written, so r-1 counts one delivery again (devhost/servicebus/README.md).
    expect(after.map((d) => d.deliveryCount)).toEqual([1, 1, 1]);
    const counts = await eventually(
      async () => ((await (await admin(second, "/topics/replies/subscriptions/orchestrator")).json()) as { counts: Record<string, number> }).counts,
      (c) => c.active === 0,
      "the subscription to drain",
    );
    expect(counts).toEqual({ active: 0, scheduled: 0, deadLettered: 0 });
    expect(deliveries()).toHaveLength(4);
  }, 60_000);
});
