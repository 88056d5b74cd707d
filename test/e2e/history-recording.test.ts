import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { currentJobOrchestrationVersion } from "../../lib/orchestration/version.js";
import { HistoryEventType } from "../../devhost/durable/history.js";
import { describeDivergence, firstDivergence, type WrappedOrchestrator } from "../support/history-replay.js";
import { OrchestratorNames } from "../../lib/orchestration/names.js";
import { recordHistories } from "../support/record-histories.js";
import { startLucius, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { testRegistryFile } from "../support/test-registry.js";

/** `npm run record:histories` sets this to write the fixtures the replay test reads. */
const writeFixtures = process.env.LUCIUS_RECORD_HISTORIES === "write";
/** Each version's recordings stay beside the others: instances of every version may still be running. */
const historiesDir = join(packageRoot, "test/fixtures/histories", `v${currentJobOrchestrationVersion}`);

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius({ env: { LUCIUS_PROTOCOL_REGISTRY: testRegistryFile() } });
}, 60_000);
afterAll(() => lucius?.stop());

describe("histories recorded from devhost runs", () => {
  it("end as scripted, carry the orchestrator's version, and replay through the current code without divergence", async () => {
    const recorded = await recordHistories(lucius);
    // The orchestrator exactly as devhost registered and ran it.
    const orchestrator = lucius.host.app.functions.get(OrchestratorNames.job)!.handler as WrappedOrchestrator;
    for (const { history, state, ends } of recorded) {
      expect(state, history.scenario).toBe(ends);
      expect(history.version, history.scenario).toBe(currentJobOrchestrationVersion);
      const started = history.events.find((e) => e.EventType === HistoryEventType.ExecutionStarted);
      expect(started?.Version, history.scenario).toBe(currentJobOrchestrationVersion);
      const divergence = await firstDivergence(orchestrator, history);
      expect(divergence && describeDivergence(divergence)).toBeUndefined();
    }
    if (writeFixtures) {
      mkdirSync(historiesDir, { recursive: true });
      for (const { history } of recorded) writeFileSync(join(historiesDir, `${history.scenario}.json`), JSON.stringify(history, null, 1) + "\n");
    }
  }, 150_000);
});
