// Flex Consumption always-ready instances on a job's ACK path (docs/deploy.md, "Timing on the real
// backends"): the orchestrator's Durable group and reply trigger, and every worker's trigger, so
// the ACK window (30 s) never has to absorb a cold start after an idle period.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { azdParameters } from "../support/azd-substitution.js";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile } from "../support/bicep-resolve.js";

const infra = join(packageRoot, "infra");
const main = bicepFile(join(infra, "main.bicep"));
const flat = (text: string) => text.replace(/\s+/g, " ");
/** The Service Bus function each reference worker registers (its `name`). */
const workerFunctions = ["ocr/ocr-worker.ts", "embedding/embedding-worker.ts", "sis/sis-worker.ts"].map(
  (file) => /name: "(\w+)"/.exec(readFileSync(join(packageRoot, "workers", file), "utf8"))![1]!,
);

describe("always-ready instances", () => {
  it("default to one per group and can be turned off", () => {
    const param = main.params.get("alwaysReadyInstances")!;
    expect(param.type).toBe("int");
    expect(param.defaultValue).toBe("1");
    const text = readFileSync(join(infra, "main.parameters.json"), "utf8");
    expect(text).toContain('"value": "${LUCIUS_ALWAYS_READY=1}"');
    expect(azdParameters(text, {}).alwaysReadyInstances).toBe("1");
    expect(azdParameters(text, { LUCIUS_ALWAYS_READY: "0" }).alwaysReadyInstances).toBe("0");
    for (const name of ["orchestratorAlwaysReady", "workersAlwaysReady"]) {
      expect(flat(main.vars.get(name)!.value)).toMatch(
        /^alwaysReadyInstances == 0 \? \[\] : map\(\[.*\], g => \{ name: g, instanceCount: alwaysReadyInstances \}\)$/,
      );
    }
  });

  it("cover the orchestrator's Durable group and its reply trigger", () => {
    expect(flat(main.vars.get("orchestratorAlwaysReady")!.value)).toContain("['durable', 'function:receiveReply']");
    expect(main.modules.get("orchestratorApp")!.params.get("alwaysReady")).toBe("orchestratorAlwaysReady");
  });

  it("cover every worker's Service Bus trigger", () => {
    expect(workerFunctions).toEqual(["ocrWorker", "embeddingWorker", "sisWorker"]);
    const groups = flat(main.vars.get("workersAlwaysReady")!.value);
    for (const fn of workerFunctions) expect(groups).toContain(`'function:${fn}'`);
    expect(main.modules.get("workersApp")!.params.get("alwaysReady")).toBe("workersAlwaysReady");
  });

  it("reach the site's scale settings", () => {
    const module = readFileSync(join(infra, "modules", "function-app.bicep"), "utf8");
    expect(flat(module)).toContain("scaleAndConcurrency: { alwaysReady: alwaysReady");
  });
});
