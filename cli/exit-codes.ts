/**
 * The `lucius` CLI's exit codes; scripts branch on these (docs/cli.md lists them).
 */
export const ExitCode = {
  /** The command did what was asked (for `--watch`: the job SUCCEEDED). */
  ok: 0,
  /** `--watch` (or the demo): the job ended FAILED or CANCELLED. */
  jobUnsuccessful: 1,
  /** Bad command line: unknown command or option, missing argument, unreadable file, `purge` without `--yes`. */
  usage: 2,
  /** The API (or Service Bus) refused the request: a 4xx other than 404. */
  clientError: 3,
  /** The job, dead letter or route does not exist (404). */
  notFound: 4,
  /** The server failed (5xx), could not be reached, or a needed service is absent. */
  serverError: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an HTTP status the API answered with. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return ExitCode.notFound;
  if (status >= 400 && status < 500) return ExitCode.clientError;
  return ExitCode.serverError;
}
