// The orchestrator app's entry file, named first in package.json `main` so the Node worker loads it
// before any function file (static patterns load before wildcard ones; a directory's files load in
// the order the file system lists them): Azure Monitor when Application Insights is configured.
// lib/ stays on the OpenTelemetry API, whose instruments are created at first use, so they bind to
// this SDK whatever the load order.
import { startAzureMonitor } from "../lib/telemetry/azure-monitor.js";

startAzureMonitor("lucius-orchestrator");
