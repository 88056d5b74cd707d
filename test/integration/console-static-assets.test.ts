import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { consoleLink } from "../../lib/console/link.js";
import { consoleAssetsDir, consoleResponse } from "../../lib/console/static-assets.js";

// Reads what `npm run build` bundled into dist/console (npm test builds first).
const get = (path: string, acceptEncoding: string | null = null) => consoleResponse({ path, urlPath: `/console/${path}`, acceptEncoding, method: "GET" });
const headers = (response: ReturnType<typeof get>) => response.headers as Record<string, string>;

describe("the console's files", () => {
  it("sends /console on to /console/, where relative URLs and the page's routes hold", () => {
    expect(consoleResponse({ path: "", urlPath: "/console", acceptEncoding: null, method: "GET" })).toEqual({
      status: 308,
      headers: { Location: "/console/" },
    });
  });

  it("serves the page for its own routes, with a same-origin-only Content-Security-Policy", () => {
    for (const path of ["", "jobs/some-job", "devhost"]) {
      const response = get(path);
      expect(response.status, path).toBe(200);
      expect(headers(response)["Content-Type"]).toBe("text/html; charset=utf-8");
      expect(String(response.body)).toBe(readFileSync(join(consoleAssetsDir, "index.html"), "utf8"));
      expect(headers(response)["Content-Security-Policy"]).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'/);
    }
  });

  it("gzips for a client that accepts it, and sends the plain file otherwise", () => {
    const plain = readFileSync(join(consoleAssetsDir, "app.js"));
    const zipped = get("app.js", "gzip, deflate, br");
    expect(headers(zipped)["Content-Encoding"]).toBe("gzip");
    expect(headers(zipped)["Content-Type"]).toBe("text/javascript; charset=utf-8");
    expect(gunzipSync(zipped.body as Buffer).equals(plain)).toBe(true);
    const raw = get("app.js");
    expect(headers(raw)["Content-Encoding"]).toBeUndefined();
    expect((raw.body as Buffer).equals(plain)).toBe(true);
  });

  it("answers 404 problem+json for a file it does not have", () => {
    const response = get("missing.js");
    expect(response.status).toBe(404);
    expect(headers(response)["Content-Type"]).toBe("application/problem+json");
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 404, detail: "The console has no file missing.js" });
  });
});

describe("the console link", () => {
  it("carries the keys in the fragment only, never in the path or the query", () => {
    const link = new URL(consoleLink("http://127.0.0.1:7071/", { apiKey: "k+/=", devhostKey: "h" }));
    expect(link.pathname).toBe("/console/");
    expect(link.search).toBe("");
    expect(Object.fromEntries(new URLSearchParams(link.hash.slice(1)))).toEqual({ key: "k+/=", "devhost-key": "h" });
    expect(consoleLink("http://127.0.0.1:7071", {})).toBe("http://127.0.0.1:7071/console/");
  });
});
