import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { HttpResponseInit } from "@azure/functions";
import { packageRoot } from "../paths.js";
import { notFound, problemResponse, ProblemType } from "../http/problem.js";

/** Where `npm run build` puts the bundled console (scripts/build-console.mjs). */
export const consoleAssetsDir = join(packageRoot, "dist", "console");

/** The console's base path; every asset is under it. */
export const consoleBasePath = "/console/";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/**
 * Same origin only, no inline script or style: the page talks to this app's API and loads
 * nothing from anywhere else, so a leaked key cannot be sent off by an injected script.
 */
export const consoleSecurityHeaders: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

interface Asset {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
}

let assets: Map<string, Asset> | undefined;

/** The built files, read once and gzipped once per process (a few hundred KB at most). */
function loadAssets(dir: string): Map<string, Asset> {
  const found = new Map<string, Asset>();
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const type = contentTypes[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    found.set(name, { body, gzip: gzipSync(body, { level: 9 }), contentType: type });
  }
  return found;
}

function consoleAssets(): Map<string, Asset> {
  return (assets ??= loadAssets(consoleAssetsDir));
}

export interface ConsoleRequest {
  /** The path after `/console/` (the route's catch-all), e.g. `app.js` or `jobs/abc`. */
  path: string;
  /** The request URL's path, to send `/console` on to `/console/`. */
  urlPath: string;
  acceptEncoding: string | null;
  method: string;
}

/**
 * Answers a console request: a built asset by name, else the page itself (the page routes
 * `/console/jobs/<id>` and the like on its own). A missing file with an extension is a 404.
 */
export function consoleResponse(request: ConsoleRequest): HttpResponseInit {
  // Relative asset URLs and the page's own routes assume the trailing slash.
  if (request.urlPath === "/console") return { status: 308, headers: { Location: consoleBasePath } };
  const files = consoleAssets();
  const index = files.get("index.html");
  if (!index) {
    return problemResponse({
      type: ProblemType.unavailable,
      title: "Console not built",
      status: 503,
      detail: "The console's files are missing from dist/console: run npm run build",
    });
  }
  const name = request.path.replace(/^\/+/, "");
  const asset = files.get(name);
  if (!asset && extname(name) !== "") {
    const problem = notFound(`The console has no file ${name.slice(0, 200)}`).problem;
    return problemResponse(problem);
  }
  const chosen = asset ?? index;
  const gzip = /\bgzip\b/i.test(request.acceptEncoding ?? "");
  const body = gzip ? chosen.gzip : chosen.body;
  return {
    status: 200,
    headers: {
      "Content-Type": chosen.contentType,
      // Fixed file names, so the browser asks again each time (a 304-less revalidation is cheap).
      "Cache-Control": "no-cache",
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      ...consoleSecurityHeaders,
    },
    body: request.method === "HEAD" ? undefined : body,
  };
}
