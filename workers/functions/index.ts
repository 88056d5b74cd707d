// The workers app's entry file, named first in workers/package.json `main` so the Node worker loads
// it before the worker function files: Azure Monitor when Application Insights is configured (the
// workers' spans continue each job's trace).
import { startAzureMonitor } from "../../lib/worker-kit.js";

startAzureMonitor("lucius-workers");
