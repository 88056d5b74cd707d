import { createRequire } from "node:module";
import { ManagedIdentityCredential } from "@azure/identity";
import { useAzureMonitor, type AzureMonitorOpenTelemetryOptions } from "@azure/monitor-opentelemetry";
import { logs, SeverityNumber } from "@opentelemetry/api-logs";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { packageVersion } from "../paths.js";
import { azureMonitorSettings } from "./azure-monitor-settings.js";
import { setLogSink, type LogSink } from "./log.js";

const started = Symbol.for("lucius.azureMonitor.started");
type Holder = { [started]?: string };

/**
 * The one place that imports Azure Monitor: registers the OpenTelemetry SDK that exports
 * lib/telemetry's spans, metrics and the host's logs to Application Insights — only when
 * `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, and with the managed identity when
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` is `Authorization=AAD[;ClientId=…]`.
 * Idempotent per process. Returns whether Azure Monitor is on. `register` is the SDK's
 * `useAzureMonitor`; tests pass their own, because the real one reaches Azure endpoints
 * (ingestion, live metrics, the VM metadata service) as soon as it starts.
 */
export function startAzureMonitor(
  serviceName: string,
  env: Record<string, string | undefined> = process.env,
  register: (options: AzureMonitorOpenTelemetryOptions) => void = useAzureMonitor,
): boolean {
  const holder = globalThis as Holder;
  if (holder[started]) return true;
  const settings = azureMonitorSettings(env);
  if (!settings) return false;
  const credential = settings.managedIdentity
    ? settings.managedIdentity.clientId
      ? new ManagedIdentityCredential({ clientId: settings.managedIdentity.clientId })
      : new ManagedIdentityCredential()
    : undefined;
  register({
    azureMonitorExporterOptions: { connectionString: settings.connectionString, ...(credential ? { credential } : {}) },
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: packageVersion }),
  });
  instrumentFunctions();
  setLogSink(otelLogSink());
  holder[started] = serviceName;
  return true;
}

/**
 * The Functions OpenTelemetry instrumentation: its `preInvocation` hook runs each handler in the
 * trace context the host sends with the invocation, so the host's invocation span parents the
 * app's spans (one trace from the host into lib/telemetry's), and its `log` hook sends
 * `context.log` lines through OpenTelemetry (it tells the host so, which then does not send them
 * a second time). It patches `@azure/functions` when that is first required; the apps import it
 * as ES modules, which is no `require`, so it is required here, right after the instrumentation
 * is enabled (construction enables it) and before any function file loads.
 */
function instrumentFunctions(): void {
  // Required too: the package is CommonJS without named ES exports Node can detect.
  const require = createRequire(import.meta.url);
  const { AzureFunctionsInstrumentation } =
    require("@azure/functions-opentelemetry-instrumentation") as typeof import("@azure/functions-opentelemetry-instrumentation");
  new AzureFunctionsInstrumentation();
  require("@azure/functions");
}

const severity = { info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR } as const;

/**
 * lib/telemetry's records as OpenTelemetry log records (Application Insights `traces`), their
 * fields as attributes, so `customDimensions.job_id` finds a job's lines. Replaces the stdout
 * JSON lines, which the host would otherwise collect a second time.
 */
function otelLogSink(): LogSink {
  const logger = logs.getLogger("lucius", packageVersion);
  return ({ timestamp, level, message, ...attributes }) =>
    logger.emit({
      timestamp: new Date(timestamp),
      severityNumber: severity[level],
      severityText: level.toUpperCase(),
      body: message,
      attributes: Object.fromEntries(
        Object.entries(attributes).map(([key, value]) => [
          key,
          typeof value === "object" && value !== null ? JSON.stringify(value) : (value as string | number | boolean),
        ]),
      ),
    });
}
