import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { durableClient } from "../lib/orchestration/durable-client.js";
import { decideStep } from "../lib/api/review.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { appServices } from "../lib/services.js";
import { ReviewDecision } from "../lib/review/decision.js";

/** POST /v1/jobs/{job_id}/steps/{step_id}/approve | reject */
function reviewHandler(decision: ReviewDecision) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> =>
    answer(context, async () => {
      const caller = authorize(request);
      const { ledger, settings } = await appServices();
      const controller = durableJobController(durableClient(context));
      return decideStep(request, request.params.job_id ?? "", request.params.step_id ?? "", decision, {
        ledger,
        caller,
        maxBodyBytes: settings.maxBodyBytes,
        raise: (jobId, event) => controller.review(jobId, event),
      });
    });
}

export const approveStep = reviewHandler(ReviewDecision.approve);
export const rejectStep = reviewHandler(ReviewDecision.reject);

for (const [name, decision, handler] of [
  ["approveStep", ReviewDecision.approve, approveStep],
  ["rejectStep", ReviewDecision.reject, rejectStep],
] as const) {
  app.http(name, {
    route: `v1/jobs/{job_id}/steps/{step_id}/${decision}`,
    methods: ["POST"],
    authLevel: "anonymous",
    extraInputs: [df.input.durableClient()],
    handler,
  });
}
