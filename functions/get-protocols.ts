import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { appServices } from "../lib/services.js";
import { answer, jsonResponse } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

export async function getProtocols(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    authorize(request);
    return jsonResponse(200, (await appServices()).contracts.registry);
  });
}

app.http("getProtocols", { route: "v1/protocols", methods: ["GET"], authLevel: "anonymous", handler: getProtocols });
