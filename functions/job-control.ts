import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { durableClient } from "../lib/orchestration/durable-client.js";
import { acceptCancel, acceptPause, acceptRedrive, acceptResume, type JobControlDependencies } from "../lib/api/job-control.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { appServices } from "../lib/services.js";

type Control = (jobId: string, deps: JobControlDependencies) => Promise<HttpResponseInit>;

/** POST /v1/jobs/{job_id}/<action>: one function per action, each reaching the job's orchestration. */
function controlHandler(control: Control) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> =>
    answer(context, async () => {
      const caller = authorize(request);
      const { ledger } = await appServices();
      return control(request.params.job_id ?? "", { ledger, controller: durableJobController(durableClient(context)), caller });
    });
}

export const cancelJob = controlHandler(acceptCancel);
export const pauseJob = controlHandler(acceptPause);
export const resumeJob = controlHandler(acceptResume);
export const redriveJob = controlHandler(acceptRedrive);

// Each registered under its handler's name.
for (const [name, action, handler] of [
  ["cancelJob", "cancel", cancelJob],
  ["pauseJob", "pause", pauseJob],
  ["resumeJob", "resume", resumeJob],
  ["redriveJob", "redrive", redriveJob],
] as const) {
  app.http(name, {
    route: `v1/jobs/{job_id}/${action}`,
    methods: ["POST"],
    authLevel: "anonymous",
    extraInputs: [df.input.durableClient()],
    handler,
  });
}
