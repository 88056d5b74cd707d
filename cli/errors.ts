import { ExitCode, exitCodeForStatus } from "./exit-codes.js";

/** A problem+json document as the API (or devhost) answers it. */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ pointer?: string; message?: string }>;
  [extension: string]: unknown;
}

/** Every failure the CLI reports: a one-line message and the exit code it ends with. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The command line itself is wrong. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The API answered with an error status; `problem` is its problem+json body when it sent one. */
export class ApiError extends CliError {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly problem: ProblemDocument | undefined,
    message: string,
  ) {
    super(message, exitCodeForStatus(status));
  }
}

/** The API (or storage, or Service Bus) could not be reached at all. */
export class NetworkError extends CliError {
  override name = "NetworkError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.serverError, options);
  }
}

/** Something named on the command line does not exist (a dead letter, a file). */
export class CliNotFoundError extends CliError {
  override name = "CliNotFoundError";
  constructor(message: string) {
    super(message, ExitCode.notFound);
  }
}
