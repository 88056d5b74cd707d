import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContractError, loadContracts, RegistryError } from "../../lib/contracts/index.js";
import { contractsDir, packageRoot } from "../../lib/paths.js";

describe("generated types", () => {
  it("match the schemas (run `npm run gen:types` after changing a schema)", () => {
    const regenerated = execFileSync(process.execPath, [join(packageRoot, "scripts", "gen-types.mjs"), "--stdout"], { encoding: "utf8" });
    const committed = readFileSync(join(packageRoot, "lib", "contracts", "types.gen.ts"), "utf8");
    expect(regenerated).toBe(committed);
  });
});

describe("broken schemas stop start-up", () => {
  function brokenContracts(name: string, schema: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), "lucius-contracts-"));
    cpSync(contractsDir, dir, { recursive: true });
    writeFileSync(join(dir, name), JSON.stringify(schema));
    return dir;
  }

  it.each([
    ["an unknown keyword (strict mode)", { $id: "https://lucius.dev/contracts/x.schema.json", type: "object", requird: ["a"] }, /unknown keyword: "requird"/],
    ["a missing $id", { type: "object" }, /has no \$id/],
    ["a duplicate $id", { $id: "https://lucius.dev/contracts/ref.v1.schema.json" }, /share the \$id/],
  ])("%s", (_name, schema, message) => {
    const dir = brokenContracts("extra.schema.json", schema);
    let thrown: unknown;
    try {
      loadContracts({ contractsDir: dir });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContractError);
    expect(thrown).not.toBeInstanceOf(RegistryError);
    expect((thrown as ContractError).code).toBe("SCHEMA_INVALID");
    expect((thrown as Error).message).toMatch(message);
  });
});
