import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as api from "../lib/api/job-outputs.js";
import { appServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { blobServiceClientFromEnv, RefStore } from "../lib/refs/index.js";

let refs: RefStore | undefined;

export async function getJobOutputs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const caller = authorize(request);
    // Built at first use: the orchestrator reads outputs with the app's own storage identity.
    refs ??= new RefStore({ blobs: blobServiceClientFromEnv(process.env) });
    return api.getJobOutputs(request.params.job_id ?? "", (await appServices()).ledger, caller, refs);
  });
}

app.http("getJobOutputs", { route: "v1/jobs/{job_id}/outputs", methods: ["GET"], authLevel: "anonymous", handler: getJobOutputs });
