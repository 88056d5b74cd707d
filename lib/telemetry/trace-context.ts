import { randomBytes } from "node:crypto";
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  TraceFlags,
  ROOT_CONTEXT,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from "@opentelemetry/api";

/** Version 00 only: later versions may add fields we would silently drop. Same rule as contracts' Traceparent. */
const traceparentPattern = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})$/;
const header = "traceparent";

/**
 * W3C Trace Context (`traceparent` only; `tracestate` is not carried by the contracts).
 * Lucius uses this instance directly instead of the global propagator, so a traceparent
 * travels the same whether or not an SDK (Azure Monitor, devhost) registered one.
 */
export class TraceparentPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter = defaultTextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (span && isSpanContextValid(span)) setter.set(carrier, header, formatTraceparent(span));
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter = defaultTextMapGetter): Context {
    const raw = getter.get(carrier, header);
    const parsed = parseTraceparent(Array.isArray(raw) ? raw[0] : raw);
    return parsed ? trace.setSpanContext(context, parsed) : context;
  }

  fields(): string[] {
    return [header];
  }
}

export const traceparentPropagator = new TraceparentPropagator();

/** The remote span context a well-formed traceparent names, else undefined. */
export function parseTraceparent(value: string | undefined | null): SpanContext | undefined {
  const match = typeof value === "string" ? traceparentPattern.exec(value.trim().toLowerCase()) : null;
  if (!match) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-0${(span.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** A context whose parent is the span a traceparent names (ROOT_CONTEXT when there is none). */
export function contextFrom(traceparent: string | undefined): Context {
  return traceparentPropagator.extract(ROOT_CONTEXT, traceparent ? { [header]: traceparent } : {});
}

/**
 * The traceparent that continues `span`. Without an SDK spans do not record and have no ids
 * of their own: then the parent's traceparent is passed on unchanged, or a fresh one is made,
 * so a job always carries one trace id from intake to its last reply.
 */
export function traceparentOf(span: Span, parent?: string): string {
  const own = span.spanContext();
  if (isSpanContextValid(own)) return formatTraceparent(own);
  return parent && parseTraceparent(parent) ? parent : newTraceparent();
}

/** A traceparent that starts a new, sampled trace. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}

/** The trace id of a traceparent, or undefined. */
export const traceIdOf = (traceparent: string | undefined): string | undefined => parseTraceparent(traceparent)?.traceId;
