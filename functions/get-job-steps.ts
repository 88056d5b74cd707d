import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getJobSteps } from "../lib/api/jobs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";

export async function getStepsOfJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => getJobSteps(request.params.job_id ?? "", (await appServices()).ledger));
}

app.http("getJobSteps", { route: "v1/jobs/{job_id}/steps", methods: ["GET"], authLevel: "anonymous", handler: getStepsOfJob });
