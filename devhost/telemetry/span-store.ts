import { SpanKind, SpanStatusCode, type HrTime } from "@opentelemetry/api";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";

/** An ended span as `GET /_devhost/traces` serves it. */
export interface SpanView {
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  kind: string;
  start: string;
  end: string;
  duration_ms: number;
  status: "unset" | "ok" | "error";
  status_message?: string;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; time: string }>;
}

const ms = (time: HrTime) => time[0] * 1000 + time[1] / 1e6;
const iso = (time: HrTime) => new Date(ms(time)).toISOString();
const statusOf = { [SpanStatusCode.UNSET]: "unset", [SpanStatusCode.OK]: "ok", [SpanStatusCode.ERROR]: "error" } as const;

function view(span: ReadableSpan): SpanView {
  const context = span.spanContext();
  return {
    name: span.name,
    trace_id: context.traceId,
    span_id: context.spanId,
    ...(span.parentSpanContext ? { parent_span_id: span.parentSpanContext.spanId } : {}),
    kind: SpanKind[span.kind]?.toLowerCase() ?? "internal",
    start: iso(span.startTime),
    end: iso(span.endTime),
    duration_ms: Math.max(0, ms(span.endTime) - ms(span.startTime)),
    status: statusOf[span.status.code],
    ...(span.status.message ? { status_message: span.status.message } : {}),
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, time: iso(e.time) })),
  };
}

/**
 * Keeps the most recent ended spans in memory (a ring of `capacity`), so a long-running
 * devhost does not grow without bound.
 */
export class SpanStore implements SpanProcessor {
  private readonly spans: SpanView[] = [];

  constructor(private readonly capacity = 10_000) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.spans.push(view(span));
    if (this.spans.length > this.capacity) this.spans.splice(0, this.spans.length - this.capacity);
  }

  /** Ended spans, oldest first; only one trace's when `traceId` is given. */
  list(traceId?: string): SpanView[] {
    return traceId ? this.spans.filter((s) => s.trace_id === traceId) : [...this.spans];
  }

  clear(): void {
    this.spans.length = 0;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
