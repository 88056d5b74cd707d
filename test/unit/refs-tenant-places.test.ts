import { describe, expect, it } from "vitest";
import { liesWithin, parseRefPath, parseTenantAllowlists, pathSegment, RefErrorCode, RefUse, TenantPlaces } from "../../lib/refs/index.js";
import { parseAllowlist } from "../../lib/refs/allowlist.js";

const account = "http://127.0.0.1:10000/devstoreaccount1";
const places = new TenantPlaces(account, {
  shared: parseAllowlist("https://docs.example.com/shared/"),
  perTenant: { ta: parseAllowlist("https://ta.example.com/") },
});
const codeOf = (run: () => unknown) => {
  try {
    run();
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

describe("tenant path segments", () => {
  it("keeps letters, digits, _ and - and escapes every other UTF-8 byte as ~XX", () => {
    expect(pathSegment("Tenant_a-1")).toBe("Tenant_a-1");
    expect(pathSegment("acme.eu")).toBe("acme~2Eeu");
    expect(pathSegment("a/b")).toBe("a~2Fb");
    expect(pathSegment("..")).toBe("~2E~2E");
    expect(pathSegment("é")).toBe("~C3~A9");
    expect(pathSegment("~")).toBe("~7E");
  });

  it("is one-to-one: ids that differ keep differing (case and escapes included)", () => {
    const ids = ["ta", "TA", "t~61", "ta.", "t a", "t%61", "a~2Fb", "a/b"];
    expect(new Set(ids.map(pathSegment)).size).toBe(ids.length);
  });

  it("refuses a lone surrogate and the empty id", () => {
    expect(codeOf(() => pathSegment("a\ud800"))).toBe(RefErrorCode.invalidRef);
    expect(codeOf(() => pathSegment(""))).toBe(RefErrorCode.invalidRef);
  });
});

describe("strict ref paths", () => {
  it.each([
    [`${account}/workspaces/tb/..%2F..%2Fta/job/x.txt`, "encoded separator"],
    [`${account}/outputs/tb/a%5Cb`, "encoded backslash"],
    [`${account}/outputs/tb/../ta/x`, "dot segment"],
    [`${account}/outputs/tb/%2e%2e/ta/x`, "encoded dot segment"],
    [`${account}/outputs/tb/./x`, "single dot"],
    [`${account}/outputs\\tb\\x`, "backslash"],
    [`${account}/outputs/tb//x`, "empty segment"],
    [`${account}/outputs/tb/%E0%A4%A`, "broken escape"],
    ["file:///etc/passwd", "file scheme"],
    ["inputs/ta/x.png", "relative path"],
  ])("refuses %s (%s)", (uri) => {
    expect(codeOf(() => parseRefPath(uri))).toBe(RefErrorCode.invalidRef);
  });

  it("decodes each segment once", () => {
    expect(parseRefPath(`${account}/outputs/t%20a/x/`).segments).toEqual(["devstoreaccount1", "outputs", "t a", "x", ""]);
  });

  it("says whether a RESULT's output lies where the directive said to write", () => {
    expect(liesWithin(`${account}/workspaces/ta/j/ocr/text.txt`, `${account}/workspaces/ta/j/ocr/`)).toBe(true);
    expect(liesWithin(`${account}/workspaces/ta/j/o%63r/text.txt`, `${account}/workspaces/ta/j/ocr/`)).toBe(true);
    expect(liesWithin(`${account}/workspaces/ta/j/ocr/`, `${account}/workspaces/ta/j/ocr/`)).toBe(true); // the target itself, as when a RESULT names none
    expect(liesWithin(`${account}/workspaces/ta/j/`, `${account}/workspaces/ta/j/ocr/`)).toBe(false);
    expect(liesWithin(`${account}/workspaces/ta/j/ocrx/a`, `${account}/workspaces/ta/j/ocr/`)).toBe(false);
    expect(liesWithin(`${account}/workspaces/ta/j/ocr/..%2F..%2Fk/a`, `${account}/workspaces/ta/j/ocr/`)).toBe(false);
    expect(liesWithin(`${account}/outputs/ta/a.json`, `${account}/outputs/ta/a.json`)).toBe(true);
    expect(liesWithin(`${account}/outputs/ta/b.json`, `${account}/outputs/ta/a.json`)).toBe(false);
    expect(liesWithin(`http://127.0.0.1:10001/devstoreaccount1/workspaces/ta/j/ocr/a`, `${account}/workspaces/ta/j/ocr/`)).toBe(false);
  });

  it("keeps each pair's verdict apart when asked again, as a replaying orchestrator asks", () => {
    const folder = `${account}/workspaces/ta/j/ocr/`;
    const inside = `${folder}text.txt`;
    // The same characters split elsewhere: the URI one shorter, the rest leading the target (no longer a URI).
    const shifted: [string, string] = [inside.slice(0, -1), `t${folder}`];
    for (let round = 0; round < 2; round++) {
      expect(liesWithin(inside, folder)).toBe(true);
      expect(liesWithin(...shifted)).toBe(false);
      expect(liesWithin(`${account}/workspaces/ta/j/`, folder)).toBe(false);
    }
  });
});

describe("tenant places", () => {
  it("reads from the tenant's inputs, outputs and workspaces, and https on its allowlist", () => {
    for (const uri of [`${account}/inputs/ta/a.png`, `${account}/inputs/ta/`, `${account}/outputs/ta/x/`, `${account}/workspaces/ta/other-job/ocr/text.txt`]) {
      expect(
        codeOf(() => places.check(uri, RefUse.read, "ta")),
        uri,
      ).toBe("ok");
    }
    expect(places.check("https://ta.example.com/a.pdf", RefUse.read, "ta")).toBeUndefined();
    expect(codeOf(() => places.check("https://docs.example.com/shared/a.pdf", RefUse.read, "tb"))).toBe("ok");
    expect(codeOf(() => places.check("https://ta.example.com/a.pdf", RefUse.read, "tb"))).toBe(RefErrorCode.notAllowed);
  });

  it("refuses another tenant's places, a prefix lookalike, and other containers", () => {
    for (const uri of [
      `${account}/inputs/tb/a.png`,
      `${account}/inputs/tab/a.png`,
      `${account}/inputs/a.png`,
      `${account}/workspaces/tb/j/x`,
      `${account}/newcontainer/ta/x`,
      `${account}/outputs/tb/`,
    ]) {
      expect(
        codeOf(() => places.check(uri, RefUse.read, "ta")),
        uri,
      ).toBe(RefErrorCode.refOutsideTenant);
    }
  });

  it("writes only to the tenant's outputs, and to the job's own workspace", () => {
    expect(codeOf(() => places.check(`${account}/outputs/ta/x/a.json`, RefUse.write, "ta"))).toBe("ok");
    expect(codeOf(() => places.check(`${account}/workspaces/ta/j1/ocr/a`, RefUse.write, "ta", "j1"))).toBe("ok");
    expect(codeOf(() => places.check(`${account}/workspaces/ta/j2/ocr/a`, RefUse.write, "ta", "j1"))).toBe(RefErrorCode.refOutsideTenant);
    expect(codeOf(() => places.check(`${account}/workspaces/ta/j1/a`, RefUse.write, "ta"))).toBe(RefErrorCode.refOutsideTenant);
    expect(codeOf(() => places.check(`${account}/inputs/ta/a`, RefUse.write, "ta"))).toBe(RefErrorCode.refOutsideTenant);
    expect(codeOf(() => places.check("https://ta.example.com/out.json", RefUse.write, "ta"))).toBe(RefErrorCode.refOutsideTenant);
  });

  it("puts a tenant with unusual characters in its encoded segment only", () => {
    expect(places.uri(places.inputs("a/b"))).toBe(`${account}/inputs/a~2Fb/`);
    expect(codeOf(() => places.check(`${account}/inputs/a~2Fb/x`, RefUse.read, "a/b"))).toBe("ok");
    expect(codeOf(() => places.check(`${account}/inputs/a/b/x`, RefUse.read, "a/b"))).toBe(RefErrorCode.refOutsideTenant);
  });

  it("reads LUCIUS_TENANT_INPUT_ALLOWLISTS as tenant → prefixes and refuses anything else", () => {
    expect(Object.keys(parseTenantAllowlists('{"ta":["https://a.example.com/"],"tb":"https://b.example.com/x/,https://c.example.com/"}'))).toEqual([
      "ta",
      "tb",
    ]);
    expect(parseTenantAllowlists(undefined)).toEqual({});
    for (const bad of ["[]", "{", '{"ta":3}', '{"ta":["http://a.example.com/"]}'])
      expect(() => parseTenantAllowlists(bad), bad).toThrow(/LUCIUS_TENANT_INPUT_ALLOWLISTS/);
  });
});
