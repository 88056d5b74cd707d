import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { listJobs } from "../lib/api/jobs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

export async function listTenantJobs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    return listJobs(request, (await appServices()).ledger, caller);
  });
}

app.http("listJobs", { route: "v1/jobs", methods: ["GET"], authLevel: "anonymous", handler: listTenantJobs });
