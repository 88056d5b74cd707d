import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { buildOpenApi } from "../lib/api/openapi.js";
import { appServices } from "../lib/services.js";
import { answer, jsonResponse } from "../lib/http/responses.js";
import { packageVersion } from "../lib/paths.js";

/** One document per origin it was asked from (the app answers on its host name and any custom domain). */
const documents = new Map<string, Record<string, unknown>>();

/**
 * GET /v1/openapi.json, open without a credential like /health: portals, gateways and client
 * generators fetch it before they hold a key. It describes the API; it holds no tenant's data.
 */
export async function getOpenApi(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const serverUrl = new URL(request.url).origin;
    let document = documents.get(serverUrl);
    if (!document) {
      document = buildOpenApi((await appServices()).contracts, { version: packageVersion, serverUrl });
      if (documents.size < 16) documents.set(serverUrl, document);
    }
    return jsonResponse(200, document);
  });
}

app.http("getOpenApi", { route: "v1/openapi.json", methods: ["GET"], authLevel: "anonymous", handler: getOpenApi });
