import { app, type HttpResponseInit } from "@azure/functions";
import { jsonResponse } from "../lib/http/responses.js";

/** Liveness: the process answers. Dependencies are /ready's concern. */
export async function health(): Promise<HttpResponseInit> {
  return jsonResponse(200, { status: "ok" });
}

app.http("health", { route: "health", methods: ["GET"], authLevel: "anonymous", handler: health });
