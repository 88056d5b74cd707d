// Start-up side effect, loaded by the Functions host with the other entry files (package.json
// `main`; `_` sorts it first): Azure Monitor for the orchestrator app when Application Insights
// is configured. lib/ stays on the OpenTelemetry API, whose instruments are created at first
// use, so they bind to this SDK whatever the load order.
import { startAzureMonitor } from "./_azure-monitor.js";

startAzureMonitor("lucius-orchestrator");
