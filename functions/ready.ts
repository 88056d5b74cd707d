import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { appServices } from "../lib/services.js";
import { ProblemType, problemResponse } from "../lib/http/problem.js";
import { answer, jsonResponse } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";

/** Readiness: the ledger answers a point read. Needs a credential: it describes the app's dependencies. */
export async function ready(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    authorize(request);
    return checkLedger(context);
  });
}

async function checkLedger(context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const { ledger } = await appServices();
    await ledger.getJob("readiness-probe");
    return jsonResponse(200, { status: "ready", checks: { ledger: "ok" } });
  } catch (error) {
    context.warn("readiness check failed", error);
    return problemResponse(
      { type: ProblemType.unavailable, title: "Not ready", status: 503, detail: "The ledger (Table Storage) is unreachable" },
      { "Retry-After": "5" },
    );
  }
}

app.http("ready", { route: "ready", methods: ["GET"], authLevel: "anonymous", handler: ready });
