import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  contextFrom,
  formatTraceparent,
  newTraceparent,
  parseTraceparent,
  traceIdOf,
  traceparentOf,
  traceparentPropagator,
} from "../../lib/telemetry/trace-context.js";

const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("W3C traceparent", () => {
  it("parses version 00 and formats it back", () => {
    const span = parseTraceparent(valid)!;
    expect(span).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true });
    expect(formatTraceparent(span)).toBe(valid);
    expect(formatTraceparent(parseTraceparent(valid.replace(/01$/, "00"))!)).toBe(valid.replace(/01$/, "00"));
  });

  it("rejects malformed, all-zero and other-version values", () => {
    for (const bad of [
      undefined,
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
  });

  it("extracts into and injects from an OpenTelemetry context", () => {
    const context = traceparentPropagator.extract(
      ROOT_CONTEXT,
      { traceparent: valid },
      { get: (c, k) => (c as Record<string, string>)[k], keys: (c) => Object.keys(c as object) },
    );
    expect(trace.getSpanContext(context)?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const carrier: Record<string, string> = {};
    traceparentPropagator.inject(context, carrier, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
    expect(carrier).toEqual({ traceparent: valid });
    expect(trace.getSpanContext(contextFrom(undefined))).toBeUndefined();
    expect(trace.getSpanContext(contextFrom("garbage"))).toBeUndefined();
  });

  it("without an SDK, a span passes its parent's traceparent on, or starts a new trace", () => {
    const orphan = trace.getTracer("t").startSpan("x");
    expect(traceparentOf(orphan, valid)).toBe(valid);
    const fresh = traceparentOf(orphan);
    expect(parseTraceparent(fresh)).toBeDefined();
    expect(fresh).not.toBe(traceparentOf(orphan));
    expect(traceIdOf(newTraceparent())).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf("nope")).toBeUndefined();
  });
});
