import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getJobSteps } from "../lib/api/jobs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

export async function getStepsOfJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    return getJobSteps(request.params.job_id ?? "", (await appServices()).ledger, caller);
  });
}

app.http("getJobSteps", { route: "v1/jobs/{job_id}/steps", methods: ["GET"], authLevel: "anonymous", handler: getStepsOfJob });
