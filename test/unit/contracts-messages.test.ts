import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadContracts, type ValidationIssue } from "../../lib/contracts/index.js";

const contracts = loadContracts();
const leaseId = randomUUID();

const directive = {
  type: "DIRECTIVE",
  job_id: "job-1",
  tenant_id: "acme",
  step_id: "ocr",
  step_type: "OCR",
  protocol_id: "atomic-ocr.v1",
  attempt_no: 1,
  lease_id: leaseId,
  lease_expires_at: "2024-05-01T10:15:00Z",
  input_ref: "https://x/in",
  workspace_ref: "https://x/ws/job-1/ocr/1/",
  output_ref: { uri: "https://x/out" },
  payload: { language_hint: "de" },
  mode: "DEFAULT",
  lane: 7,
  routing_key_used: "acme",
};
const { payload: _payload, ...cancelFields } = directive;
const cancel = { ...cancelFields, type: "CANCEL" };
const { type: _type, ...untyped } = cancel;

const common = { job_id: "job-1", step_id: "ocr", tenant_id: "acme", attempt_no: 1, lease_id: leaseId, timestamp: "2024-05-01T10:00:00.123+02:00" };

function errors<T>(result: { ok: true; value: T } | { ok: false; errors: ValidationIssue[] }): ValidationIssue[] {
  if (result.ok) throw new Error("expected a rejection");
  return result.errors;
}

describe("validateDirective", () => {
  it("accepts a DIRECTIVE and a CANCEL", () => {
    expect(contracts.validateDirective(directive)).toEqual({ ok: true, value: directive });
    expect(contracts.validateDirective(cancel)).toEqual({ ok: true, value: cancel });
  });

  it("requires the lease_id to be a canonical lowercase UUID v4", () => {
    for (const lease_id of [leaseId.toUpperCase(), leaseId.replace(/-/g, ""), "6ba7b810-9dad-11d1-80b4-00c04fd430c8", `{${leaseId}}`]) {
      const found = errors(contracts.validateDirective({ ...directive, lease_id }));
      expect(found.map((e) => e.pointer)).toEqual(["/lease_id"]);
      expect(found[0]!.message).toMatch(/UUID v4/);
    }
  });

  it("rejects a CANCEL carrying a payload and a DIRECTIVE without one", () => {
    expect(errors(contracts.validateDirective({ ...cancel, payload: {} }))).toEqual([{ pointer: "/payload", message: 'unknown property "payload"' }]);
    expect(errors(contracts.validateDirective(untyped))).toEqual([{ pointer: "/type", message: "type is required" }]);
    expect(errors(contracts.validateDirective({ ...untyped, type: "DIRECTIVE" }))).toEqual([{ pointer: "/payload", message: "payload is required" }]);
  });

  it("names the allowed message types", () => {
    expect(errors(contracts.validateDirective({ ...directive, type: "STOP" }))).toEqual([{ pointer: "/type", message: "must be one of: DIRECTIVE, CANCEL" }]);
  });

  it("checks attempt, lane, timestamps and refs", () => {
    const found = errors(contracts.validateDirective({ ...directive, attempt_no: 0, lane: -1, lease_expires_at: "tomorrow", workspace_ref: {} }));
    expect(found).toEqual([
      { pointer: "/attempt_no", message: "must be ≥ 1" },
      { pointer: "/lease_expires_at", message: "must be an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z)" },
      { pointer: "/workspace_ref/uri", message: "uri is required" },
      { pointer: "/lane", message: "must be ≥ 0" },
    ]);
  });
});

describe("validateReply", () => {
  it.each([
    ["ACK", { ...common, type: "ACK" }],
    ["HEARTBEAT", { ...common, type: "HEARTBEAT", sequence: 3, progress: 0.5, details: { page: 3 } }],
    [
      "RESULT SUCCEEDED",
      {
        ...common,
        type: "RESULT",
        status: "SUCCEEDED",
        output_ref: "https://x/out",
        artifact_refs: ["https://x/a", { uri: "https://x/b" }],
        metrics: { pages: 3 },
      },
    ],
    ["RESULT FAILED", { ...common, type: "RESULT", status: "FAILED", failure_class: "RETRYABLE", error: { code: "THROTTLED", message: "429 from upstream" } }],
  ])("accepts %s", (_name, reply) => {
    expect(contracts.validateReply(reply)).toEqual({ ok: true, value: reply });
  });

  it("requires failure_class and error when a RESULT FAILED", () => {
    expect(errors(contracts.validateReply({ ...common, type: "RESULT", status: "FAILED" }))).toEqual([
      { pointer: "/failure_class", message: "failure_class is required when status is FAILED" },
      { pointer: "/error", message: "error is required when status is FAILED" },
    ]);
  });

  it("requires status on a RESULT and checks error shape and failure_class values", () => {
    expect(errors(contracts.validateReply({ ...common, type: "RESULT" }))).toEqual([{ pointer: "/status", message: "status is required" }]);
    expect(errors(contracts.validateReply({ ...common, type: "RESULT", status: "FAILED", failure_class: "MAYBE", error: { message: "x" } }))).toEqual([
      { pointer: "/failure_class", message: "must be one of: RETRYABLE, NON_RETRYABLE" },
      { pointer: "/error/code", message: "code is required" },
    ]);
  });

  it("bounds progress and rejects fields of another reply type", () => {
    expect(errors(contracts.validateReply({ ...common, type: "HEARTBEAT", progress: 1.5 }))).toEqual([{ pointer: "/progress", message: "must be ≤ 1" }]);
    expect(errors(contracts.validateReply({ ...common, type: "ACK", status: "SUCCEEDED" }))).toEqual([
      { pointer: "/status", message: 'unknown property "status"' },
    ]);
  });

  it("reports missing common fields and an unknown type", () => {
    expect(errors(contracts.validateReply({ type: "ACK" })).map((e) => e.pointer)).toEqual([
      "/job_id",
      "/step_id",
      "/tenant_id",
      "/attempt_no",
      "/lease_id",
      "/timestamp",
    ]);
    expect(errors(contracts.validateReply({ ...common, type: "DONE" }))).toEqual([{ pointer: "/type", message: "must be one of: ACK, HEARTBEAT, RESULT" }]);
    expect(errors(contracts.validateReply("ACK"))).toEqual([{ pointer: "", message: "must be an object" }]);
  });
});
