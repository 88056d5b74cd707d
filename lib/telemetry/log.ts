import { traceIdOf } from "./trace-context.js";

export const LogLevel = { info: "info", warn: "warn", error: "error" } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** The identifiers every Lucius log line carries when it knows them. */
export interface LogFields {
  job_id?: string;
  step_id?: string;
  attempt_no?: number;
  tenant_id?: string;
  correlation_id?: string;
  /** The job's traceparent; logged as `trace_id` so logs join the trace. */
  traceparent?: string;
  [extra: string]: unknown;
}

/** One structured log record, as written: a JSON object per line. */
export interface LogRecord {
  timestamp: string;
  level: LogLevel;
  /** A stable event name, e.g. `intake.accepted`. */
  event: string;
  message: string;
  job_id?: string;
  step_id?: string;
  attempt_no?: number;
  tenant_id?: string;
  correlation_id?: string;
  trace_id?: string;
  [extra: string]: unknown;
}

export type LogSink = (record: LogRecord) => void;

/** JSON lines on stdout (stderr for warnings and errors), which the Functions host collects. */
const consoleSink: LogSink = (record) => {
  const line = JSON.stringify(record);
  if (record.level === LogLevel.info) console.log(line);
  else console.error(line);
};

/**
 * The sink is process-wide (a global symbol, not module state) so a host that loads the
 * compiled app beside its own sources (devhost, tests) redirects both with one call.
 */
const sinkKey = Symbol.for("lucius.telemetry.logSink");
type SinkHolder = { [sinkKey]?: LogSink };

/** Replaces where log records go (devhost prints them at its own level; tests collect them). Returns the previous sink. */
export function setLogSink(sink: LogSink | undefined): LogSink | undefined {
  const holder = globalThis as SinkHolder;
  const previous = holder[sinkKey];
  holder[sinkKey] = sink;
  return previous;
}

function write(level: LogLevel, event: string, message: string, fields: LogFields): void {
  const { traceparent, ...rest } = fields;
  const traceId = traceIdOf(traceparent);
  const record: LogRecord = { timestamp: new Date().toISOString(), level, event, message, ...rest, ...(traceId ? { trace_id: traceId } : {}) };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  try {
    ((globalThis as SinkHolder)[sinkKey] ?? consoleSink)(record);
  } catch {
    // Logging never fails the work it describes.
  }
}

/** Structured logs at the points an operator follows a job by: intake, attempts, replies, the end. */
export const log = {
  info: (event: string, message: string, fields: LogFields = {}) => write(LogLevel.info, event, message, fields),
  warn: (event: string, message: string, fields: LogFields = {}) => write(LogLevel.warn, event, message, fields),
  error: (event: string, message: string, fields: LogFields = {}) => write(LogLevel.error, event, message, fields),
};
