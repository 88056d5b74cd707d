import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { durableClient } from "../lib/orchestration/durable-client.js";
import { durableJobController } from "../lib/intake/job-starter.js";
import { reconcile } from "../lib/reconcile/reconcile.js";
import { appServices } from "../lib/services.js";

/** Every five minutes, on the minute's start: drift repair is cheap to run and costly to leave waiting. */
export const reconcileSchedule = "0 */5 * * * *";

export async function reconcileDrift(_timer: Timer, context: InvocationContext): Promise<void> {
  const { ledger, settings } = await appServices();
  const { examined, repairs } = await reconcile({
    ledger,
    orchestrations: durableJobController(durableClient(context)),
    graceSeconds: settings.reconcileGraceSeconds,
  });
  const summary = repairs.map((r) => `${r.kind}:${r.job_id ?? r.tenant_id ?? "global"}`).join(", ");
  context.log(`reconciler examined ${examined} jobs in flight, repaired ${repairs.length}${summary ? ` (${summary})` : ""}`);
}

app.timer("reconcileDrift", {
  schedule: reconcileSchedule,
  runOnStartup: false,
  useMonitor: true,
  extraInputs: [df.input.durableClient()],
  handler: reconcileDrift,
});
