import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devhostTelemetry, type MetricView } from "../../devhost/telemetry/index.js";
import { MetricNames } from "../../lib/config/names.js";
import type { Step } from "../../lib/ledger/index.js";
import { recordAttemptOutcome } from "../../lib/telemetry/attempts.js";
import { registerInFlightSource } from "../../lib/telemetry/in-flight.js";
import { appMetrics } from "../../lib/telemetry/metrics.js";
import { withIntakeTelemetry } from "../../lib/telemetry/intake.js";
import { setLogSink, type LogRecord } from "../../lib/telemetry/log.js";

// devhost's in-process SDK is the in-memory exporter here: the recorders run against it directly.
const telemetry = devhostTelemetry();
const logs: LogRecord[] = [];
beforeAll(() => void setLogSink((record) => logs.push(record)));
afterAll(() => void setLogSink(undefined));

const metric = async (name: string): Promise<MetricView | undefined> => (await telemetry.metrics()).metrics.find((m) => m.name === name);
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("intake telemetry", () => {
  it("the header's traceparent wins over the envelope's; the job carries the intake span's", async () => {
    let stored = "";
    const handler = withIntakeTelemetry(async (_request, _context, intake) => {
      intake.caller("apiKey:ops");
      stored = intake.traceparent({ tenant_id: "t1", correlation_id: "c1", traceparent: "00-11111111111111111111111111111111-2222222222222222-01" });
      return { status: 202, body: JSON.stringify({ job_id: "job-1" }) };
    });
    await handler({ headers: headers({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }) }, {});
    const intake = telemetry.spans.list(traceId).find((s) => s.name === "lucius.intake")!;
    expect(intake).toMatchObject({
      parent_span_id: "00f067aa0ba902b7",
      attributes: { job_id: "job-1", tenant_id: "t1", outcome: "created", caller: "apiKey:ops" },
    });
    expect(stored).toBe(`00-${traceId}-${intake.span_id}-01`);
    expect(logs.find((l) => l.event === "intake.accepted")).toMatchObject({
      job_id: "job-1",
      tenant_id: "t1",
      correlation_id: "c1",
      trace_id: traceId,
      caller: "apiKey:ops",
    });
  });

  it("counts a rejection by its problem type and never starts a job trace for it", async () => {
    const handler = withIntakeTelemetry(async () => ({ status: 422, body: JSON.stringify({ type: "urn:lucius:problem:validation-failed", status: 422 }) }));
    await handler({ headers: headers({}) }, {});
    await handler({ headers: headers({}) }, {});
    const rejected = await metric(MetricNames.commandsRejected);
    expect(rejected?.points).toContainEqual({ attributes: { reason: "validation-failed" }, value: 2 });
    expect(logs.filter((l) => l.event === "intake.rejected")).toHaveLength(2);
  });
});

describe("attempt telemetry", () => {
  const step = (error?: { code: string; message: string }): Step =>
    ({
      job_id: "job-2",
      step_id: "ocr",
      index: 0,
      step_type: "OCR",
      service: "platform-ocr",
      state: "RETRY_WAIT",
      attempt_no: 1,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
      dispatched_at: "2026-01-01T00:00:00.000Z",
      etag: "*",
      ...(error ? { error } : {}),
    }) as Step;

  it("starts the attempt span at dispatch, under the job's traceparent, and counts the retry's cause", async () => {
    const parent = `00-${traceId}-1111111111111111-01`;
    recordAttemptOutcome(
      step({ code: "ACK_TIMEOUT", message: "no ACK" }),
      "RETRY_WAIT",
      { tenant_id: "t1", traceparent: parent },
      new Date("2026-01-01T00:00:02.500Z"),
    );
    recordAttemptOutcome(
      step({ code: "WORKER_BUSY", message: "busy" }),
      "RETRY_WAIT",
      { tenant_id: "t1", traceparent: parent },
      new Date("2026-01-01T00:00:01.000Z"),
    );
    const spans = telemetry.spans.list(traceId).filter((s) => s.name === "lucius.step.attempt");
    expect(spans[0]).toMatchObject({
      parent_span_id: "1111111111111111",
      start: "2026-01-01T00:00:00.000Z",
      duration_ms: 2500,
      status: "error",
      attributes: { cause: "ack_timeout", outcome: "retried" },
    });
    const retries = await metric(MetricNames.stepRetries);
    expect(retries?.points).toContainEqual({ attributes: { cause: "ack_timeout", step_type: "OCR" }, value: 1 });
    expect(retries?.points).toContainEqual({ attributes: { cause: "retryable_failure", step_type: "OCR" }, value: 1 });
    const durations = await metric(MetricNames.stepAttemptDuration);
    expect(durations).toMatchObject({ type: "histogram", unit: "ms" });
    expect(durations?.points).toContainEqual({ attributes: { step_type: "OCR", outcome: "retried" }, count: 2, sum: 3500, min: 1000, max: 2500 });
  });
});

describe("in-flight gauge", () => {
  it("reports every source at collection, skipping one that fails", async () => {
    const counts = new Map([["tenant-a", 3]]);
    appMetrics(); // the gauge exists once the instruments do
    const unregister = registerInFlightSource(async () => counts);
    registerInFlightSource(async () => {
      throw new Error("storage down");
    });
    expect((await metric(MetricNames.jobsInFlight))?.points).toEqual([{ attributes: { tenant_id: "tenant-a" }, value: 3 }]);
    counts.set("tenant-a", 0);
    expect((await metric(MetricNames.jobsInFlight))?.points).toEqual([{ attributes: { tenant_id: "tenant-a" }, value: 0 }]);
    unregister();
  });
});
