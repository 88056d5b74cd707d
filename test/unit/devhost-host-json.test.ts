import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readHostJson, timeSpanMs } from "../../devhost/host-json.js";
import { packageRoot } from "../../lib/paths.js";
import { currentJobOrchestrationVersion } from "../../lib/orchestration/version.js";

describe("host.json as devhost reads it", () => {
  it("turns the repository's Service Bus settings into receiver options", () => {
    expect(readHostJson(join(packageRoot, "host.json"), {}).serviceBus).toEqual({
      maxConcurrentCalls: 16,
      autoComplete: false,
      maxAutoLockRenewalMs: 5 * 60 * 1000,
    });
  });

  it("creates orchestrations with the job orchestrator's current version", () => {
    expect(readHostJson(join(packageRoot, "host.json"), {}).defaultVersion).toBe(currentJobOrchestrationVersion);
  });

  it("resolves %SETTING% in the task hub name and defaults what is absent", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostjson-"));
    const path = join(dir, "host.json");
    writeFileSync(path, JSON.stringify({ extensions: { durableTask: { hubName: "%HUB%" } } }));
    expect(readHostJson(path, { HUB: "hub1" })).toEqual({ routePrefix: "api", hubName: "hub1", serviceBus: {} });
  });

  it.each([
    ["00:05:00", 300_000],
    ["1.02:00:00", 26 * 3_600_000],
    ["00:00:01.5", 1_500],
  ])("reads the TimeSpan %s", (text, ms) => expect(timeSpanMs(text)).toBe(ms));

  it("refuses what is not a TimeSpan", () => {
    expect(() => timeSpanMs("5 minutes")).toThrow(/TimeSpan/);
  });
});
