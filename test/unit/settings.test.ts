import { describe, expect, it } from "vitest";
import { ConfigurationError, loadSettings } from "../../lib/config/settings.js";

describe("loadSettings", () => {
  it("applies documented defaults", () => {
    const settings = loadSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(settings.maxBodyBytes).toBe(262144);
    expect(settings.lanes).toBe(16);
    expect(settings.busMode).toBe("servicebus");
    expect(settings.tables.jobs).toBe("jobs");
  });

  it("uses managed identity when only the table service URI is set", () => {
    const settings = loadSettings({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientId: "cid" });
    expect(settings.storage).toEqual({ kind: "identity", tableServiceUri: "https://acct.table.core.windows.net", clientId: "cid" });
  });

  it.each([
    [{}, /AzureWebJobsStorage/],
    [{ AzureWebJobsStorage: "x", LUCIUS_LANES: "0" }, /LUCIUS_LANES/],
    [{ AzureWebJobsStorage: "x", LUCIUS_BUS_MODE: "kafka" }, /LUCIUS_BUS_MODE/],
    [{ AzureWebJobsStorage: "x", LUCIUS_BUS_MODE: "devhost" }, /LUCIUS_DEVHOST_URL/],
    [{ AzureWebJobsStorage: "x", LUCIUS_TABLE_PREFIX: "no-dashes" }, /LUCIUS_TABLE_PREFIX/],
  ])("rejects a bad environment by naming the setting (%o)", (env, message) => {
    expect(() => loadSettings(env)).toThrow(ConfigurationError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe("derived settings", () => {
  it("puts workspaces in the storage account's workspaces container", () => {
    const azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
    expect(loadSettings({ AzureWebJobsStorage: azurite }).workspaceUri).toBe("http://127.0.0.1:10000/devstoreaccount1/workspaces");
    expect(loadSettings({ AzureWebJobsStorage__accountName: "acct" }).workspaceUri).toBe("https://acct.blob.core.windows.net/workspaces");
    expect(loadSettings({ AzureWebJobsStorage: azurite, LUCIUS_WORKSPACE_URI: "https://x/ws/" }).workspaceUri).toBe("https://x/ws");
  });

  it("takes step timing defaults from LUCIUS_STEP_DEFAULTS over the production ones", () => {
    expect(loadSettings({ AzureWebJobsStorage: "x" }).stepDefaults).toEqual({
      ack_seconds: 30,
      lease_seconds: 900,
      max_attempts: 3,
      backoff_seconds: [30, 120, 600],
    });
    expect(loadSettings({ AzureWebJobsStorage: "x", LUCIUS_STEP_DEFAULTS: '{"ack_seconds":1,"backoff_seconds":[0.2]}' }).stepDefaults).toEqual({
      ack_seconds: 1,
      lease_seconds: 900,
      max_attempts: 3,
      backoff_seconds: [0.2],
    });
  });

  it.each(['{"ack_seconds":0}', '{"max_attempts":1.5}', '{"backoff_seconds":[]}', '{"lease":3}', "[1]", "not json"])(
    "rejects LUCIUS_STEP_DEFAULTS=%s by naming it",
    (raw) => {
      expect(() => loadSettings({ AzureWebJobsStorage: "x", LUCIUS_STEP_DEFAULTS: raw })).toThrow(/LUCIUS_STEP_DEFAULTS/);
    },
  );
});
