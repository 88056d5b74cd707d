import { describe, expect, it } from "vitest";
import { azureMonitorSettings } from "../../lib/telemetry/azure-monitor-settings.js";

const connection = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/";

describe("Azure Monitor settings", () => {
  it("are off without a connection string", () => {
    expect(azureMonitorSettings({})).toBeUndefined();
    expect(azureMonitorSettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: "  " })).toBeUndefined();
    expect(azureMonitorSettings({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD" })).toBeUndefined();
  });

  it("use the connection string alone unless the authentication string says AAD", () => {
    expect(azureMonitorSettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connection })).toEqual({ connectionString: connection });
    expect(azureMonitorSettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connection, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=Key" })).toEqual(
      { connectionString: connection },
    );
  });

  it("use the managed identity named by ClientId, or the system-assigned one", () => {
    const clientId = "11111111-2222-3333-4444-555555555555";
    expect(
      azureMonitorSettings({
        APPLICATIONINSIGHTS_CONNECTION_STRING: connection,
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${clientId}`,
      }),
    ).toEqual({
      connectionString: connection,
      managedIdentity: { clientId },
    });
    expect(azureMonitorSettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connection, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "authorization=aad" })).toEqual(
      {
        connectionString: connection,
        managedIdentity: {},
      },
    );
  });
});
