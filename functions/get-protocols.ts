import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { appServices } from "../lib/services.js";
import { answer, jsonResponse } from "../lib/http/responses.js";

export async function getProtocols(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => jsonResponse(200, (await appServices()).contracts.registry));
}

app.http("getProtocols", { route: "v1/protocols", methods: ["GET"], authLevel: "anonymous", handler: getProtocols });
