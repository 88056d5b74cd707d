import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as api from "../lib/api/jobs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

export async function getJobSteps(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    return api.getJobSteps(request.params.job_id ?? "", (await appServices()).ledger, caller);
  });
}

app.http("getJobSteps", { route: "v1/jobs/{job_id}/steps", methods: ["GET"], authLevel: "anonymous", handler: getJobSteps });
