/** Where devhost and the app's `context.log` write. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  /** The app's own log lines (context.log and friends). */
  app(functionName: string, level: string, args: unknown[]): void;
}

export const LogLevel = { silent: "silent", error: "error", info: "info" } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export function createLogger(level: LogLevel = LogLevel.info): Logger {
  const show = (min: LogLevel) => level === LogLevel.info || (level === LogLevel.error && min === LogLevel.error);
  const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    info: (message) => show(LogLevel.info) && console.log(`[devhost] ${message}`),
    warn: (message) => show(LogLevel.error) && console.warn(`[devhost] ${message}`),
    error: (message, error) => show(LogLevel.error) && console.error(`[devhost] ${message}${error === undefined ? "" : `\n${describe(error)}`}`),
    app: (functionName, appLevel, args) => {
      const isError = appLevel === "error" || appLevel === "critical" || appLevel === "warning";
      if (!show(isError ? LogLevel.error : LogLevel.info)) return;
      (isError ? console.error : console.log)(`[${functionName}]`, ...args);
    },
  };
}
