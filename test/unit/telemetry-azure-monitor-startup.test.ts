import { describe, expect, it } from "vitest";
import type { AzureMonitorOpenTelemetryOptions } from "@azure/monitor-opentelemetry";
import { ManagedIdentityCredential } from "@azure/identity";
import { startAzureMonitor } from "../../lib/telemetry/azure-monitor.js";

// The SDK itself is never started here: it calls Azure endpoints (ingestion, live metrics and the
// VM metadata service) as soon as it runs. The registration it would receive is checked instead.
const connectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

describe("Azure Monitor start-up", () => {
  it("does nothing without a connection string", () => {
    const calls: AzureMonitorOpenTelemetryOptions[] = [];
    expect(startAzureMonitor("lucius-test", {}, (options) => calls.push(options))).toBe(false);
    expect(calls).toEqual([]);
  });

  it("registers once, with the connection string, the managed identity and the service name", () => {
    const calls: AzureMonitorOpenTelemetryOptions[] = [];
    const register = (options: AzureMonitorOpenTelemetryOptions) => calls.push(options);
    const env = {
      APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555",
    };
    expect(startAzureMonitor("lucius-test", env, register)).toBe(true);
    expect(startAzureMonitor("lucius-test", env, register)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.azureMonitorExporterOptions?.connectionString).toBe(connectionString);
    expect(calls[0]!.azureMonitorExporterOptions?.credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(calls[0]!.resource?.attributes["service.name"]).toBe("lucius-test");
  });
});
