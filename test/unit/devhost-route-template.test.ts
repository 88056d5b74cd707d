import { describe, expect, it } from "vitest";
import { compareTemplates, RouteTemplate, RouteTemplateError } from "../../devhost/http/route-template.js";
import { pathSegments } from "../../devhost/http/router.js";

const match = (template: string, path: string) => new RouteTemplate(template).match(pathSegments(path)!);

describe("devhost route templates", () => {
  it("binds parameters and matches literals without regard to case", () => {
    expect(match("v1/jobs/{job_id}/steps", "/V1/Jobs/abc/steps")).toEqual({ job_id: "abc" });
    expect(match("v1/jobs/{job_id}/steps", "/v1/jobs/abc")).toBeUndefined();
    expect(match("v1/jobs/{job_id}", "/v1/jobs/abc/steps")).toBeUndefined();
  });

  it("handles optional parameters and defaults", () => {
    expect(match("orchestrators/{name}/{id?}", "orchestrators/x")).toEqual({ name: "x" });
    expect(match("orchestrators/{name}/{id?}", "orchestrators/x/42")).toEqual({ name: "x", id: "42" });
    expect(match("numbers/{n:int}/{unit=meters}", "numbers/3")).toEqual({ n: "3", unit: "meters" });
  });

  it("checks inline constraints", () => {
    expect(match("items/{id:int}", "items/12")).toEqual({ id: "12" });
    expect(match("items/{id:int}", "items/abc")).toBeUndefined();
    expect(match("docs/{id:guid}", "docs/0f8fad5b-d9cb-469f-a165-70867728950e")).toBeDefined();
    expect(match("docs/{id:guid}", "docs/not-a-guid")).toBeUndefined();
    expect(match("page/{n:range(1,10)}", "page/11")).toBeUndefined();
    expect(match("page/{n:min(1):max(3)}", "page/2")).toEqual({ n: "2" });
    expect(match("code/{c:regex(^[a-z]+$)}", "code/abc")).toEqual({ c: "abc" });
    expect(match("flag/{b:bool}", "flag/TRUE")).toEqual({ b: "TRUE" });
  });

  it("captures the rest of the path with a catch-all", () => {
    expect(match("files/{*path}", "files/a/b/c.txt")).toEqual({ path: "a/b/c.txt" });
    expect(match("files/{*path}", "files")).toEqual({});
    expect(() => new RouteTemplate("files/{*path}/more")).toThrow(RouteTemplateError);
  });

  it("matches segments that mix text and parameters", () => {
    expect(match("img/{name}.{ext}", "img/logo.png")).toEqual({ name: "logo", ext: "png" });
  });

  it("orders a literal before a parameter, and a catch-all last", () => {
    const templates = ["items/{*rest}", "items/{id}", "items/search", "items/{id:int}", "items/{id?}"].map((t) => new RouteTemplate(t));
    expect(templates.sort(compareTemplates).map((t) => t.template)).toEqual(["items/search", "items/{id:int}", "items/{id}", "items/{id?}", "items/{*rest}"]);
  });

  it("rejects malformed templates", () => {
    expect(() => new RouteTemplate("a/{b")).toThrow(RouteTemplateError);
    expect(() => new RouteTemplate("a/{b:nosuch}")).toThrow(/unknown constraint/);
  });
});
