import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { buildOpenApi } from "../lib/api/openapi.js";
import { appServices } from "../lib/services.js";
import { answer, jsonResponse } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { packageVersion } from "../lib/paths.js";

let document: Record<string, unknown> | undefined;

export async function getOpenApi(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    authorize(request);
    document ??= buildOpenApi((await appServices()).contracts, packageVersion);
    return jsonResponse(200, document);
  });
}

app.http("getOpenApi", { route: "v1/openapi.json", methods: ["GET"], authLevel: "anonymous", handler: getOpenApi });
