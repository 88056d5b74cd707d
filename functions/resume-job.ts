import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { resumeJob } from "../lib/api/job-control.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { appServices } from "../lib/services.js";

export async function resumeJobById(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    const { ledger } = await appServices();
    return resumeJob(request.params.job_id ?? "", { ledger, controller: durableJobController(df.getClient(context)), caller });
  });
}

app.http("resumeJob", {
  route: "v1/jobs/{job_id}/resume",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: resumeJobById,
});
