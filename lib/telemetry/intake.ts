import { AsyncLocalStorage } from "node:async_hooks";
import { SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { TelemetryAttributeNames as A } from "../config/names.js";
import { log } from "./log.js";
import { appMetrics } from "./metrics.js";
import { contextFrom, newTraceparent, parseTraceparent, traceparentOf } from "./trace-context.js";
import { appTracer, SpanNames } from "./tracer.js";

/** What intake knows of the command once it has parsed it. */
export interface IntakeCommand {
  tenant_id: string;
  correlation_id?: string;
  traceparent?: string;
}

interface HttpAnswer {
  status?: number;
  headers?: unknown;
  body?: unknown;
}

/**
 * One POST /v1/commands. Its span starts only once the parent is known — the header's
 * traceparent, else the envelope's, else none — with the request's arrival as start time,
 * so the header wins and a traceparent in the body still joins the client's trace.
 */
class IntakeTrace {
  private span?: Span;
  private parent?: string;
  command?: IntakeCommand;
  caller?: string;
  readonly startTime = new Date();

  constructor(private readonly headerTraceparent: string | undefined) {}

  open(envelopeTraceparent?: string): Span {
    if (!this.span) {
      this.parent = parseTraceparent(this.headerTraceparent) ? this.headerTraceparent : parseTraceparent(envelopeTraceparent) ? envelopeTraceparent : undefined;
      this.span = appTracer().startSpan(
        SpanNames.intake,
        { kind: SpanKind.SERVER, startTime: this.startTime, attributes: { "http.request.method": "POST", "http.route": "v1/commands" } },
        contextFrom(this.parent),
      );
    }
    return this.span;
  }

  traceparent(): string {
    return traceparentOf(this.open(), this.parent);
  }
}

const current = new AsyncLocalStorage<IntakeTrace>();

/**
 * The traceparent a new job is stored with: the intake span's (a child of the POST's
 * `traceparent` header, else of the envelope's `traceparent`), else a new trace. Called by
 * intake once the command is valid; outside a traced request it continues the envelope's.
 */
export function intakeTraceparent(command: IntakeCommand): string {
  const intake = current.getStore();
  if (!intake) return parseTraceparent(command.traceparent) ? command.traceparent! : newTraceparent();
  intake.command = command;
  intake.open(command.traceparent);
  return intake.traceparent();
}

/** Names the authenticated caller of the POST being traced, for its span and log line. */
export function intakeCaller(label: string): void {
  const intake = current.getStore();
  if (intake) intake.caller = label;
}

/** `urn:lucius:problem:validation-failed` → `validation-failed`. */
function problemSlug(body: unknown): string {
  try {
    const type = (JSON.parse(String(body)) as { type?: unknown }).type;
    const slug = typeof type === "string" ? type.split(/[:/]/).pop() : undefined;
    if (slug) return slug;
  } catch {
    // Not a problem document: fall back to the status.
  }
  return "unknown";
}

function jobIdOf(body: unknown): string | undefined {
  try {
    const id = (JSON.parse(String(body)) as { job_id?: unknown }).job_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

function record(intake: IntakeTrace, answer: HttpAnswer): void {
  const status = answer.status ?? 200;
  const span = intake.open();
  const command = intake.command;
  const fields = { tenant_id: command?.tenant_id, correlation_id: command?.correlation_id, caller: intake.caller, traceparent: intake.traceparent() };
  span.setAttribute("http.response.status_code", status);
  if (intake.caller) span.setAttribute(A.caller, intake.caller);
  if (command) span.setAttribute(A.tenantId, command.tenant_id);
  if (status < 300) {
    const jobId = jobIdOf(answer.body);
    const outcome = status === 200 ? "replayed" : "created";
    appMetrics().commandsAccepted.add(1, { [A.outcome]: outcome });
    span.setAttributes({ [A.outcome]: outcome, ...(jobId ? { [A.jobId]: jobId } : {}) });
    log.info("intake.accepted", `command ${outcome === "created" ? "accepted" : "replayed"} as job ${jobId}`, { ...fields, job_id: jobId, outcome });
  } else {
    const reason = problemSlug(answer.body);
    appMetrics().commandsRejected.add(1, { [A.reason]: reason });
    span.setAttributes({ [A.outcome]: "rejected", [A.reason]: reason });
    // 4xx is the client's doing; only a 5xx marks the span failed.
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    (status >= 500 ? log.error : log.info)("intake.rejected", `command rejected with ${status} (${reason})`, { ...fields, status, reason });
  }
  span.end();
}

type Headers = { get(name: string): string | null };

/**
 * Wraps the POST /v1/commands handler: one intake span per request, the accepted and
 * rejected counters (by problem type), and the intake log line.
 */
export function withIntakeTelemetry<R extends { headers: Headers }, C, A extends HttpAnswer>(
  handler: (request: R, context: C) => Promise<A>,
): (request: R, context: C) => Promise<A> {
  return async (request, context) => {
    const intake = new IntakeTrace(request.headers.get("traceparent") ?? undefined);
    let answer: A;
    try {
      answer = await current.run(intake, () => handler(request, context));
    } catch (error) {
      record(intake, { status: 500, body: JSON.stringify({ type: "internal-error" }) });
      throw error;
    }
    record(intake, answer);
    return answer;
  };
}
