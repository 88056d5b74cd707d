// The workers app's entry file, named first in workers/package.json `main` so the Node worker loads
// it before the worker function files: Azure Monitor when Application Insights is configured (the
// workers' spans continue each job's trace). Through lib/worker-kit.ts, the workers' one door into
// lib, so the rest of the kit's lib modules load before the call: they stay on the OpenTelemetry
// API, whose instruments are created at first use, and none loads @azure/functions (types only),
// which the instrumentation must require first.
import { startAzureMonitor } from "../../lib/worker-kit.js";

startAzureMonitor("lucius-workers");
