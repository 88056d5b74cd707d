import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { durableClient } from "../lib/orchestration/durable-client.js";
import { postCommand } from "../lib/api/commands.js";
import { appServices, loadStartupServices } from "../lib/services.js";
import { answer } from "../lib/http/responses.js";
import { authorize } from "../lib/auth/index.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { withIntakeTelemetry } from "../lib/telemetry/intake.js";

loadStartupServices();

/** POST /v1/commands, exported as registered: with its intake span, counters and log line. */
export const submitCommand = withIntakeTelemetry(async (request: HttpRequest, context: InvocationContext, intake): Promise<HttpResponseInit> =>
  answer(context, async () => {
    const caller = authorize(request);
    const { settings, contracts, ledger, places } = await appServices();
    const starter = durableJobController(durableClient(context));
    return postCommand(request, { contracts, ledger, starter, maxBodyBytes: settings.maxBodyBytes, caller, limits: settings.inFlight, places, intake });
  }),
);

app.http("submitCommand", {
  route: "v1/commands",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: submitCommand,
});
