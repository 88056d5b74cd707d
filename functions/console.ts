import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { consoleResponse } from "../lib/console/static-assets.js";

/**
 * GET /console/…: the web console's built files; the page then calls the public API with the caller's credential.
 * The one handler not named as its function: a `console` export would shadow the global in this module, and the
 * function's name "console" is what the deployed app lists (and its start-up test pins), so it stays.
 */
export async function serveConsole(request: HttpRequest): Promise<HttpResponseInit> {
  return consoleResponse({
    path: request.params.path ?? "",
    urlPath: new URL(request.url).pathname,
    acceptEncoding: request.headers.get("accept-encoding"),
    method: request.method,
  });
}

app.http("console", { route: "console/{*path}", methods: ["GET", "HEAD"], authLevel: "anonymous", handler: serveConsole });
