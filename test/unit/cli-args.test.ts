import { describe, expect, it } from "vitest";
import { assertOptions, intOption, parseCommandLine, positionalArgs } from "../../cli/args.js";
import { UsageError } from "../../cli/errors.js";
import { ExitCode, exitCodeForStatus } from "../../cli/exit-codes.js";
import { problemMessage } from "../../cli/problem-message.js";

describe("parseCommandLine", () => {
  it("reads the API, key and token from the environment, and flags override them", () => {
    const env = { LUCIUS_API_URL: "http://api.example:8080", LUCIUS_API_KEY: "env-key", LUCIUS_TOKEN: "env-token" };
    expect(parseCommandLine(["jobs"], env).connection).toEqual({ api: "http://api.example:8080", apiKey: "env-key", token: "env-token" });
    expect(parseCommandLine(["jobs", "--api", "http://other:1", "--api-key", "k", "--token", "t"], env).connection).toEqual({
      api: "http://other:1",
      apiKey: "k",
      token: "t",
    });
    expect(parseCommandLine(["jobs"], {}).connection).toEqual({ api: "http://localhost:7071" });
  });

  it("takes options before or after the command and records which were given", () => {
    const line = parseCommandLine(["--json", "submit", "doc.png", "--watch", "--request-type", "OCR"], {});
    expect(line).toMatchObject({ command: "submit", positionals: ["doc.png"], json: true, values: { watch: true, "request-type": "OCR" } });
    expect([...line.given].sort()).toEqual(["json", "request-type", "watch"]);
  });

  it("refuses unknown options, a missing value and a relative --api as usage errors", () => {
    expect(() => parseCommandLine(["jobs", "--frob"], {})).toThrow(UsageError);
    expect(() => parseCommandLine(["submit", "x", "--tenant"], {})).toThrow(/--tenant/);
    expect(() => parseCommandLine(["jobs", "--api", "localhost:7071"], {})).toThrow(/--api must be an absolute http\(s\) URL/);
  });
});

describe("per-command checks", () => {
  it("assertOptions names the options a command does not take; global ones are always allowed", () => {
    const line = parseCommandLine(["jobs", "--watch", "--yes", "--json", "--state", "RUNNING"], {});
    expect(() => assertOptions(line, "jobs", ["state"])).toThrow("jobs does not take --watch, --yes");
    expect(() => assertOptions(line, "jobs", ["state", "watch", "yes"])).not.toThrow();
  });

  it("positionalArgs names the missing argument and refuses extra ones", () => {
    expect(() => positionalArgs(parseCommandLine(["status"], {}), "status", ["job_id"])).toThrow("status needs <job_id>");
    expect(() => positionalArgs(parseCommandLine(["status", "a", "b"], {}), "status", ["job_id"])).toThrow('unexpected argument "b"');
    expect(positionalArgs(parseCommandLine(["status", "a"], {}), "status", ["job_id"])).toEqual(["a"]);
  });

  it("intOption accepts integers in range only", () => {
    expect(intOption("25", "limit", 1, 200)).toBe(25);
    expect(intOption(undefined, "limit", 1, 200)).toBeUndefined();
    for (const bad of ["0", "201", "1.5", "-3", "ten"]) expect(() => intOption(bad, "limit", 1, 200), bad).toThrow("--limit must be an integer from 1 to 200");
  });
});

describe("exit codes and problem messages", () => {
  it("maps statuses to exit codes", () => {
    expect([400, 401, 403, 409, 413, 422, 429].map(exitCodeForStatus)).toEqual(Array(7).fill(ExitCode.clientError));
    expect(exitCodeForStatus(404)).toBe(ExitCode.notFound);
    expect([500, 502, 503].map(exitCodeForStatus)).toEqual(Array(3).fill(ExitCode.serverError));
    expect(new UsageError("x").exitCode).toBe(2);
  });

  it("gives a 422 its pointers, any other problem its detail, and a body without a problem its text", () => {
    const validation = {
      title: "Validation failed",
      detail: "generic",
      errors: [
        { pointer: "/payload/steps/sis/temperature", message: "must be ≤ 2" },
        { pointer: "/tenant_id", message: "is required" },
      ],
    };
    expect(problemMessage(422, validation)).toBe("422 Validation failed: /payload/steps/sis/temperature must be ≤ 2; /tenant_id is required");
    expect(
      problemMessage(400, { title: "Unknown request type", detail: 'No protocol serves "X"', errors: [{ pointer: "/request_type", message: "unknown" }] }),
    ).toBe('400 Unknown request type: No protocol serves "X"');
    expect(problemMessage(502, undefined, "Bad gateway\n from proxy")).toBe("502 Server error: Bad gateway from proxy");
    expect(problemMessage(404, { title: "Not found" })).toBe("404 Not found");
  });
});
