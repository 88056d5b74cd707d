import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { cancelJob } from "../lib/api/job-control.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { appServices } from "../lib/services.js";

export async function cancelJobById(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    const { ledger } = await appServices();
    return cancelJob(request.params.job_id ?? "", { ledger, controller: durableJobController(df.getClient(context)), caller });
  });
}

app.http("cancelJob", {
  route: "v1/jobs/{job_id}/cancel",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: cancelJobById,
});
