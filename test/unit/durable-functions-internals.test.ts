import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { durableClientBinding } from "../../devhost/durable/client-binding.js";
import { HistoryEventType, newEvent, type HistoryEvent } from "../../devhost/durable/history.js";
import { ActionType, readOpenTasks, type LibraryTask } from "../../devhost/durable/open-tasks.js";
import { replay, ReplayStatus } from "../../devhost/durable/replay.js";
import type { CapturedFunction } from "../../devhost/loader.js";
import { packageRoot } from "../../lib/paths.js";
import { notifyOrchestration } from "../../lib/replies/notify-orchestration.js";
import type { Reply } from "../../lib/contracts/index.js";
import { createOrchestrator, directRun } from "../support/history-replay.js";
import { invocationContext } from "../support/http.js";

/*
 * devhost and lib read parts of durable-functions that are not its public API:
 * the executor's open tasks, the `$OutOfProcData$` text in a failed
 * orchestration's error, the retry task's fields, the testing wrapper, and
 * the client's error messages. The package is pinned exactly; these tests fail
 * on an upgrade that changes any of them, naming what moved.
 */
const json = (path: string) => JSON.parse(readFileSync(join(packageRoot, path), "utf8"));

const start = new Date("2026-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
const opening = (version?: string): HistoryEvent[] => [
  newEvent(HistoryEventType.OrchestratorStarted, {}, start),
  newEvent(HistoryEventType.ExecutionStarted, { Name: "probe", Input: "{}", ...(version ? { Version: version } : {}) }, start),
];
const probeFunction = (handler: OrchestrationHandler) => ({ name: "probe", handler: createOrchestrator(handler) }) as unknown as CapturedFunction;
const freshContext = () => new df.DummyOrchestrationContext("probe", "probe-1", () => {}) as unknown as InvocationContext & { df: Record<string, unknown> };

describe("the durable-functions internals devhost reads", () => {
  it("is the exact version package.json and the lockfile pin", () => {
    const pinned = json("package.json").dependencies["durable-functions"];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(json("package-lock.json").packages[""].dependencies["durable-functions"]).toBe(pinned);
    expect(json("package-lock.json").packages["node_modules/durable-functions"].version).toBe(pinned);
    expect(json("node_modules/durable-functions/package.json").version).toBe(pinned);
  });

  it("keeps open tasks on context.df.taskOrchestratorExecutor.openTasks, numbered, with action types and retry fields", async () => {
    const retry = new df.RetryOptions(1000, 3);
    const probe = function* (context: OrchestrationContext) {
      yield context.df.Task.any([
        context.df.callActivityWithRetry("flaky", retry, "x"),
        context.df.createTimer(at(60)),
        context.df.waitForExternalEvent("poke"),
      ]);
    };
    const history = [
      ...opening(),
      newEvent(HistoryEventType.TaskScheduled, { EventId: 0, Name: "flaky" }, start),
      newEvent(HistoryEventType.TimerCreated, { EventId: 1, FireAt: at(60).toISOString() }, start),
      newEvent(HistoryEventType.OrchestratorStarted, {}, at(1)),
      newEvent(HistoryEventType.TaskFailed, { TaskScheduledId: 0, Reason: "boom", Details: "boom" }, at(1)),
    ];
    const context = freshContext();
    const outcome = await replay(directRun(probeFunction(probe as OrchestrationHandler), context), "probe-1", history, "{}", undefined);
    expect(outcome.status).toBe(ReplayStatus.running);
    const executor = (context.df as { taskOrchestratorExecutor?: { openTasks?: Record<string, LibraryTask> } }).taskOrchestratorExecutor;
    expect(executor?.openTasks, "context.df.taskOrchestratorExecutor.openTasks").toBeTypeOf("object");
    const tasks = Object.values(executor!.openTasks!);
    const retryTimer = tasks.find((t) => t.action === "noOp");
    expect(retryTimer?.parent, "a failed retryable task's timer: parent with retryOptions, isWaitingOnTimer, attemptNumber, innerTask").toMatchObject({
      retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 },
      isWaitingOnTimer: true,
      attemptNumber: 2,
      innerTask: { action: { actionType: ActionType.CallActivityWithRetry, functionName: "flaky" } },
    });
    expect(tasks.find((t) => t.id === 1)?.action).toMatchObject({ actionType: ActionType.CreateTimer, isCanceled: false });
    expect(readOpenTasks(executor!.openTasks!, at(1)).map((t) => [t.kind, t.id])).toEqual([
      ["timer", 1],
      ["timer", 2],
    ]);
    expect(outcome.waits.get("poke")).toBe(1);
  });

  it("puts the orchestrator state after $OutOfProcData$: in a failed orchestration's error message", async () => {
    const probe = function* () {
      yield* [];
      throw new Error("probe failed");
    };
    const context = freshContext();
    let message = "";
    try {
      await createOrchestrator(probe as unknown as OrchestrationHandler)(
        { history: opening(), input: {}, instanceId: "probe-1", isReplaying: false, upperSchemaVersion: 1 },
        context,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    const at = message.indexOf("\n\n$OutOfProcData$:");
    expect(at, "the $OutOfProcData$ label").toBeGreaterThanOrEqual(0);
    const state = JSON.parse(message.slice(at + "\n\n$OutOfProcData$:".length)) as Record<string, unknown>;
    expect(Object.keys(state)).toEqual(expect.arrayContaining(["isDone", "actions", "error"]));
    expect(state.error).toMatch(/probe failed/);
    const outcome = await replay(directRun(probeFunction(probe as unknown as OrchestrationHandler), freshContext()), "probe-1", opening(), "{}", undefined);
    expect(outcome).toMatchObject({ status: ReplayStatus.failed, failure: { ErrorMessage: expect.stringMatching(/probe failed/) } });
  });

  it("reads context.df.version from ExecutionStarted.Version", async () => {
    let seen: string | undefined = "unset";
    const probe = function* (context: OrchestrationContext) {
      seen = context.df.version;
      yield* [];
      return context.df.version;
    };
    const outcome = await replay(directRun(probeFunction(probe as OrchestrationHandler), freshContext()), "probe-1", opening("7"), "{}", undefined);
    expect(seen).toBe("7");
    expect(outcome).toMatchObject({ status: ReplayStatus.completed, output: '"7"' });
  });

  it("words the client's 404s as lib/ reads them, and resolves a 410 raise like a 202", async () => {
    const answer = { status: 404 };
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.status === 202 ? "" : "{}"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      // Without WEBSITE_HOSTNAME the client rewrites every URL to localhost:7071; the host (and devhost) set it.
      process.env.WEBSITE_HOSTNAME = host;
      const client = df.getClient(invocationContext("probe", durableClientBinding(`http://${host}`, "hub")));
      await expect(client.raiseEvent("gone", "reply", {})).rejects.toThrow("No instance with ID 'gone' found.");
      await expect(client.getStatus("gone")).rejects.toThrow(/HTTP 404 response/);
      expect(await notifyOrchestration(client, { job_id: "gone" } as Reply)).toBe(false);
      answer.status = 410;
      await expect(client.raiseEvent("done", "reply", {})).resolves.toBeUndefined();
    } finally {
      delete process.env.WEBSITE_HOSTNAME;
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
