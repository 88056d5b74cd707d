import { describe, expect, it } from "vitest";
import { LuciusError, isLuciusError } from "../../lib/errors.js";
import { ConcurrentUpdateError, IllegalTransitionError, LedgerError } from "../../lib/ledger/errors.js";
import { BusThrottledError, BusUnknownTopicError } from "../../lib/bus/errors.js";
import { RefError, RefErrorCode } from "../../lib/refs/errors.js";
import { ContractError, ContractErrorCode } from "../../lib/contracts/errors.js";
import { CommandRefusal, CommandRefusedError } from "../../lib/intake/errors.js";
import { problemFor } from "../../lib/http/error-problems.js";

describe("the error root", () => {
  it("is under every area's errors, with code, retryable, details and cause", () => {
    const cause = new Error("socket hang up");
    const errors: LuciusError[] = [
      new ConcurrentUpdateError("job", "j1", 8),
      new BusThrottledError("slow down", { cause }),
      new RefError(RefErrorCode.inputUnreachable, "unreachable", { cause }),
      new ContractError(ContractErrorCode.schemaInvalid, "bad schema"),
      new CommandRefusedError(CommandRefusal.idempotencyKeyReused, "reused", { job_id: "j2" }),
    ];
    for (const error of errors) expect(error).toBeInstanceOf(LuciusError);
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([
      ["CONCURRENT_UPDATE", true],
      ["BUS_THROTTLED", true],
      ["INPUT_UNREACHABLE", true],
      ["SCHEMA_INVALID", false],
      ["IDEMPOTENCY_KEY_REUSED", false],
    ]);
    expect(errors[1]!.cause).toBe(cause);
    expect(errors[4]!.details).toEqual({ job_id: "j2" });
    expect(isLuciusError(new Error("plain"))).toBe(false);
  });

  it("is recognised across two loaded copies of its module, while each area's classes keep their own identity", async () => {
    // A query makes the module loader evaluate the file again: a second copy, as two bundles would hold.
    const secondCopy = "../../lib/errors.js?second-copy";
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import("../../lib/errors.js");
    expect(copy.LuciusError).not.toBe(LuciusError);
    class ForeignError extends copy.LuciusError {
      readonly code = "FOREIGN";
      readonly retryable = false;
    }
    const foreign = new ForeignError("made by the other copy");
    expect(foreign instanceof LuciusError).toBe(true);
    expect(isLuciusError(foreign)).toBe(true);
    expect(new ConcurrentUpdateError("job", "j1", 8) instanceof copy.LuciusError).toBe(true);
    // Below the root, instanceof is the ordinary prototype check.
    expect(foreign instanceof LedgerError).toBe(false);
    expect(new IllegalTransitionError("job", "QUEUED", "SUCCEEDED") instanceof ConcurrentUpdateError).toBe(false);
    expect(new Error("plain") instanceof copy.LuciusError).toBe(false);
  });
});

describe("problemFor, the one table from errors to problem documents", () => {
  const answered = (error: unknown) => {
    const answer = problemFor(error);
    return answer && { status: answer.problem.status, type: answer.problem.type, retryAfter: answer.headers?.["Retry-After"] };
  };

  it("answers intake's refusals with their 4xx", () => {
    const errors = [{ pointer: "/tenant_id", message: "required" }];
    expect(problemFor(new CommandRefusedError(CommandRefusal.validationFailed, "bad", { errors }))?.problem).toMatchObject({ status: 422, errors });
    expect(answered(new CommandRefusedError(CommandRefusal.unknownRequestType, "no"))).toMatchObject({ status: 400 });
    expect(problemFor(new CommandRefusedError(CommandRefusal.idempotencyKeyReused, "reused", { job_id: "j" }))?.problem).toMatchObject({
      status: 409,
      job_id: "j",
    });
    expect(answered(new CommandRefusedError(CommandRefusal.tooManyInFlight, "full", { scope: "tenant", limit: 3 }, 5))).toMatchObject({
      status: 429,
      retryAfter: "5",
    });
  });

  it("answers a retryable error 503 with Retry-After, and leaves faults of ours to a 500", () => {
    expect(answered(new ConcurrentUpdateError("job", "j1", 8))).toMatchObject({ status: 503, retryAfter: "1" });
    expect(answered(new BusThrottledError("slow down"))).toMatchObject({ status: 503, retryAfter: "1" });
    expect(answered(new BusUnknownTopicError("no topic"))).toBeUndefined();
    expect(answered(new ContractError(ContractErrorCode.schemaInvalid, "bad schema"))).toBeUndefined();
    expect(answered(new TypeError("x is undefined"))).toBeUndefined();
  });
});
