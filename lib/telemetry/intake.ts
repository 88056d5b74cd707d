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
 * What intake tells its telemetry while it handles one POST /v1/commands: who called, and the
 * command once parsed (whose traceparent the new job is stored with). Handed to the handler by
 * {@link withIntakeTelemetry}; {@link untracedIntake} outside a traced request.
 */
export interface IntakeObserver {
  /** Names the authenticated caller, for the span and the log line. */
  caller(label: string): void;
  /** The traceparent a new job is stored with, given the valid command. */
  traceparent(command: IntakeCommand): string;
}

/** Outside a traced request a job continues the envelope's trace, else starts a new one. */
export const untracedIntake: IntakeObserver = {
  caller: () => undefined,
  traceparent: (command) => (parseTraceparent(command.traceparent) ? command.traceparent! : newTraceparent()),
};

/**
 * One POST /v1/commands. Its span starts only once the parent is known — the header's
 * traceparent, else the envelope's, else none — with the request's arrival as start time,
 * so the header wins and a traceparent in the body still joins the client's trace.
 *
 * It is handed to the handler rather than kept in an AsyncLocalStorage: a store once used
 * turns on Node's promise hooks for the whole process, which cost devhost's thread about
 * 6 % of its CPU per command (bench:intake) and every other function in the process too.
 */
class IntakeTrace implements IntakeObserver {
  private span?: Span;
  private parent?: string;
  command?: IntakeCommand;
  label?: string;
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

  caller(label: string): void {
    this.label = label;
  }

  traceparent(command?: IntakeCommand): string {
    if (command) this.command = command;
    return traceparentOf(this.open(command?.traceparent), this.parent);
  }
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
  const fields = { tenant_id: command?.tenant_id, correlation_id: command?.correlation_id, caller: intake.label, traceparent: intake.traceparent() };
  span.setAttribute("http.response.status_code", status);
  if (intake.label) span.setAttribute(A.caller, intake.label);
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
 * rejected counters (by problem type), and the intake log line. The handler gets the
 * request's {@link IntakeObserver} as its third argument.
 */
export function withIntakeTelemetry<R extends { headers: Headers }, C, A extends HttpAnswer>(
  handler: (request: R, context: C, intake: IntakeObserver) => Promise<A>,
): (request: R, context: C) => Promise<A> {
  return async (request, context) => {
    const intake = new IntakeTrace(request.headers.get("traceparent") ?? undefined);
    let answer: A;
    try {
      answer = await handler(request, context, intake);
    } catch (error) {
      record(intake, { status: 500, body: JSON.stringify({ type: "internal-error" }) });
      throw error;
    }
    record(intake, answer);
    return answer;
  };
}
