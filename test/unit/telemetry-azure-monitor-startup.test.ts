import { shutdownAzureMonitor } from "@azure/monitor-opentelemetry";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { startAzureMonitor } from "../../functions/_azure-monitor.js";

// A connection string whose ingestion endpoint cannot resolve: nothing leaves the machine.
const env = { APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://ingest.invalid/" };

afterAll(() => shutdownAzureMonitor());

describe("Azure Monitor start-up", () => {
  it("does nothing without a connection string", () => {
    expect(startAzureMonitor("lucius-test", {})).toBe(false);
    expect(isSpanContextValid(trace.getTracer("t").startSpan("before").spanContext())).toBe(false);
  });

  it("registers the SDK once when Application Insights is configured, so lib/telemetry's spans record", () => {
    expect(startAzureMonitor("lucius-test", env)).toBe(true);
    expect(startAzureMonitor("lucius-test", env)).toBe(true);
    const span = trace.getTracer("t").startSpan("after");
    expect(isSpanContextValid(span.spanContext())).toBe(true);
    span.end();
  });
});
