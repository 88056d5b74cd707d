import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { crossFileProblems, reachableBicepFiles, readAvmInterfaces } from "../support/infra-crossfile.js";

const infra = join(packageRoot, "infra");
const fixtures = join(packageRoot, "test", "fixtures", "infra");
const avm = readAvmInterfaces(join(fixtures, "avm-interfaces.json"));

describe("Bicep files against each other", () => {
  it("main.bicep and every module agree on paths, parameters, outputs and imports", () => {
    expect(crossFileProblems(join(infra, "main.bicep"), avm)).toEqual([]);
  });

  it("reaches every module file under infra/modules from main.bicep", () => {
    const reached = reachableBicepFiles(join(infra, "main.bicep"))
      .map((p) => p.slice(infra.length + 1))
      .sort();
    expect(reached).toEqual(expect.arrayContaining(["main.bicep", "modules/function-app.bicep", "modules/service-bus.bicep", "modules/storage.bicep"]));
    expect(reached).toHaveLength(12);
    expect(reached).toContain("modules/document-intelligence.bicep");
  });

  it("reports each kind of mismatch in a broken set of files", () => {
    expect(crossFileProblems(join(fixtures, "broken", "main.bicep"), avm).sort()).toEqual(
      [
        "main.bicep: module 'widget' is given 'colour', which it does not declare",
        "main.bicep: module 'widget' is not given its required parameter 'size'",
        "main.bicep: module 'ghost' path 'modules/ghost.bicep' does not exist",
        "main.bicep: module 'unpinned' reference 'br/public:avm/res/storage/storage-account:latest' is not an AVM module pinned to an exact version",
        "main.bicep: module 'unpinned' uses 'br/public:avm/res/storage/storage-account:latest', whose interface is not recorded",
        "main.bicep: module 'identity' is not given its required parameter 'name'",
        "main.bicep: module 'widget' has no output 'colour'",
        "main.bicep: module 'identity' has no output 'tenantId'",
        "main.bicep: 'nobody.outputs.thing' refers to no module",
        "main.bicep: import path 'modules/palette.bicep' does not exist",
        "main.bicep: 'sizes' is not exported by 'modules/widget.bicep'",
      ].sort(),
    );
  });

  it("records the interface of every AVM module version the infra uses", () => {
    for (const [reference, iface] of Object.entries(avm)) {
      expect(reference).toMatch(/^br\/public:avm\/res\/[a-z0-9/-]+:\d+\.\d+\.\d+$/);
      expect(iface.params["name"]).toBe("required");
      expect(iface.source).toContain("Azure/bicep-registry-modules");
    }
  });
});
