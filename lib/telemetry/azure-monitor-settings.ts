import { AppSettingNames } from "../config/names.js";

/** What the Azure Monitor start-up needs, read from app settings; no vendor code here. */
export interface AzureMonitorSettings {
  connectionString: string;
  /** Set when telemetry must be sent with Entra ID: the user-assigned identity's client id, or undefined for the system-assigned one. */
  managedIdentity?: { clientId?: string };
}

/** `Authorization=AAD;ClientId=…` → its parts, keys compared without case as the platform does. */
function parseAuthentication(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of value.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return parts;
}

/**
 * Azure Monitor settings when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, else undefined
 * (telemetry then stays on the OpenTelemetry API's no-op, or whatever the host registered).
 */
export function azureMonitorSettings(env: Record<string, string | undefined> = process.env): AzureMonitorSettings | undefined {
  const connectionString = env[AppSettingNames.appInsightsConnection]?.trim();
  if (!connectionString) return undefined;
  const auth = parseAuthentication(env[AppSettingNames.appInsightsAuth] ?? "");
  if (auth.get("authorization")?.toUpperCase() !== "AAD") return { connectionString };
  const clientId = auth.get("clientid");
  return { connectionString, managedIdentity: clientId ? { clientId } : {} };
}
