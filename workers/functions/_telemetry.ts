// Start-up side effect imported first by each worker entry file: Azure Monitor for the workers
// app when Application Insights is configured (the workers' spans continue each job's trace).
import { startAzureMonitor } from "../../functions/_azure-monitor.js";

startAzureMonitor("lucius-workers");
