import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as api from "../lib/api/jobs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

export async function listJobs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    return api.listJobs(request, (await appServices()).ledger, caller);
  });
}

app.http("listJobs", { route: "v1/jobs", methods: ["GET"], authLevel: "anonymous", handler: listJobs });
