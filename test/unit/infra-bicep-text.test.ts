import { describe, expect, it } from "vitest";
import { arrayItems, BicepReadError, maskText, objectEntries, parseBicep, stringLiteral } from "../support/bicep-text.js";

const sample = `
// a comment with a { brace and 'quote'
targetScope = 'subscription'

import { roleIds, other } from 'modules/role-ids.bicep'

@description('Name with a } brace')
@allowed([
  'a'
  'b'
])
param name string

param count int = 3
param maybe string?
param typed {
  key: string
}[]

/* block comment: param hidden string */
@export()
var query = 'x == \\'\${join(map(items, i => '\${i}'), ', ')}\\' // not a comment'
var flag = enabled
  ? { a: 1, b: 2 }
  : {}

module app 'modules/app.bicep' = if (!empty(name)) {
  name: 'app'
  params: {
    name: name
    'odata.type': 'x'
    settings: union(base, {
      A: '1'
    })
    mode: enabled
      ? 'on'
      : 'off'
  }
}

module loop 'br/public:avm/res/x/y:1.2.3' = [for i in range(0, 2): {
  name: 'loop\${i}'
}]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' existing = {
  name: 'rg'
}

output url string = 'https://\${app.outputs.host}'
func twice(x int) int => x * 2
`;

describe("Bicep text reader", () => {
  const file = parseBicep(sample, "sample.bicep");

  it("finds params with their defaults and whether a caller must give them", () => {
    expect([...file.params.keys()]).toEqual(["name", "count", "maybe", "typed"]);
    expect(file.params.get("name")).toMatchObject({ type: "string", required: true });
    expect(file.params.get("count")).toMatchObject({ defaultValue: "3", required: false });
    expect(file.params.get("maybe")?.required).toBe(false);
    expect(file.params.get("typed")).toMatchObject({ required: true, type: "{\n  key: string\n}[]" });
  });

  it("ignores statements inside comments and strings", () => {
    expect(file.params.has("hidden")).toBe(false);
    expect(file.vars.get("query")?.value).toContain("// not a comment");
  });

  it("reads vars, exports, multi-line conditions, imports, funcs and outputs", () => {
    expect(file.vars.get("query")?.exported).toBe(true);
    expect(file.vars.get("flag")?.exported).toBe(false);
    expect(file.vars.get("flag")?.value.replace(/\s+/g, " ")).toBe("enabled ? { a: 1, b: 2 } : {}");
    expect(file.imports).toEqual([{ names: ["roleIds", "other"], path: "modules/role-ids.bicep" }]);
    expect(file.funcs).toEqual(["twice"]);
    expect(file.outputs.get("url")).toEqual({ name: "url", type: "string", value: "'https://${app.outputs.host}'" });
  });

  it("reads module bodies behind conditions and loops, with their params", () => {
    const app = file.modules.get("app")!;
    expect(app.path).toBe("modules/app.bicep");
    expect([...app.params.keys()]).toEqual(["name", "odata.type", "settings", "mode"]);
    expect(app.params.get("mode")?.replace(/\s+/g, " ")).toBe("enabled ? 'on' : 'off'");
    expect(file.modules.get("loop")?.params.size).toBe(0);
    expect(file.resources.get("rg")).toMatchObject({ type: "Microsoft.Resources/resourceGroups", apiVersion: "2024-03-01", existing: true });
  });

  it("splits object and array literals, single-line and multi-line", () => {
    expect([...objectEntries("{ a: 1, 'b.c': 'x, y' }")]).toEqual([
      ["a", "1"],
      ["b.c", "'x, y'"],
    ]);
    expect(arrayItems("[\n  'a'\n  { k: [1, 2] }\n]")).toEqual(["'a'", "{ k: [1, 2] }"]);
    expect(stringLiteral("'it\\'s'")).toBe("it's");
    expect(stringLiteral("'a${b}'")).toBeUndefined();
  });

  it("masks string contents, interpolations included, keeping line breaks", () => {
    const { mask } = maskText("x = '{${f('}')}'\ny");
    expect(mask).toBe("x = '__________'\ny");
  });

  it("rejects text it cannot place", () => {
    expect(() => parseBicep("param x string = {", "bad.bicep")).toThrow(BicepReadError);
    expect(() => parseBicep("var s = 'unterminated", "bad.bicep")).toThrow(BicepReadError);
    expect(() => objectEntries("{ 1bad }")).toThrow(BicepReadError);
  });
});
