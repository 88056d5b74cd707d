import { ManagedIdentityCredential } from "@azure/identity";
import { useAzureMonitor } from "@azure/monitor-opentelemetry";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { packageVersion } from "../lib/paths.js";
import { azureMonitorSettings } from "../lib/telemetry/azure-monitor-settings.js";

const started = Symbol.for("lucius.azureMonitor.started");
type Holder = { [started]?: string };

/**
 * The one place that imports Azure Monitor: registers the OpenTelemetry SDK that exports
 * lib/telemetry's spans, metrics and the host's logs to Application Insights — only when
 * `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, and with the managed identity when
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` is `Authorization=AAD[;ClientId=…]`.
 * Idempotent per process. Returns whether Azure Monitor is on.
 */
export function startAzureMonitor(serviceName: string, env: Record<string, string | undefined> = process.env): boolean {
  const holder = globalThis as Holder;
  if (holder[started]) return true;
  const settings = azureMonitorSettings(env);
  if (!settings) return false;
  const credential = settings.managedIdentity
    ? settings.managedIdentity.clientId
      ? new ManagedIdentityCredential({ clientId: settings.managedIdentity.clientId })
      : new ManagedIdentityCredential()
    : undefined;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: settings.connectionString, ...(credential ? { credential } : {}) },
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: packageVersion }),
  });
  holder[started] = serviceName;
  return true;
}
