import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { listJobs } from "../lib/api/jobs.js";
import { apiServices } from "../lib/api/services.js";
import { answer } from "../lib/http/responses.js";

export async function listTenantJobs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => listJobs(request, (await apiServices()).ledger));
}

app.http("listJobs", { route: "v1/jobs", methods: ["GET"], authLevel: "anonymous", handler: listTenantJobs });
