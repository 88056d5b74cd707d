import { describe, expect, it } from "vitest";
import { loadContracts, type ValidationIssue } from "../../lib/contracts/index.js";

const contracts = loadContracts();

const valid = {
  tenant_id: "acme",
  request_type: "OCR->EMBEDDING->SIS",
  input_ref: "https://acct.blob.core.windows.net/in/doc.pdf",
  output_ref: { uri: "https://acct.blob.core.windows.net/out/", content_type: "application/json", size_bytes: 0, metadata: { any: ["thing"] } },
  payload: { language_hint: "de" },
  schema_version: "v1",
};

function errorsOf(body: unknown): ValidationIssue[] {
  const result = contracts.validateEnvelope(body);
  if (result.ok) throw new Error("expected the envelope to be rejected");
  return result.errors;
}

describe("validateEnvelope accepts", () => {
  it.each([
    ["the minimal envelope", valid],
    ["a BURST envelope with doc_id", { ...valid, mode: "BURST", doc_id: "Doc-1" }],
    [
      "a DEFAULT envelope with every optional field",
      {
        ...valid,
        mode: "DEFAULT",
        doc_id: "d",
        idempotency_key: "k-1",
        correlation_id: "c-1",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      },
    ],
    ["a per-step payload", { ...valid, payload: { steps: { ocr: { language_hint: "de" }, sis: {} } } }],
    ["an empty payload", { ...valid, payload: {} }],
  ])("%s", (_name, body) => {
    const result = contracts.validateEnvelope(body);
    expect(result).toEqual({ ok: true, value: body });
  });
});

describe("validateEnvelope rejects with pointers into the body", () => {
  const cases: Array<[string, unknown, ValidationIssue[]]> = [
    ["a non-object body", [1], [{ pointer: "", message: "must be an object" }]],
    [
      "missing required fields",
      { tenant_id: "acme", schema_version: "v1" },
      ["request_type", "input_ref", "output_ref", "payload"].map((p) => ({ pointer: `/${p}`, message: `${p} is required` })),
    ],
    ["BURST without doc_id", { ...valid, mode: "BURST" }, [{ pointer: "/doc_id", message: "doc_id is required when mode is BURST" }]],
    ["an unknown top-level property", { ...valid, jobId: "x" }, [{ pointer: "/jobId", message: 'unknown property "jobId"' }]],
    ["a wrong schema_version", { ...valid, schema_version: "v2" }, [{ pointer: "/schema_version", message: 'must be "v1"' }]],
    ["an unknown mode", { ...valid, mode: "FAST" }, [{ pointer: "/mode", message: "must be one of: DEFAULT, BURST" }]],
    ["an empty tenant_id", { ...valid, tenant_id: "" }, [{ pointer: "/tenant_id", message: "must not be empty" }]],
    ["a ref of the wrong type", { ...valid, input_ref: 42 }, [{ pointer: "/input_ref", message: "must be a URI string or an object with uri" }]],
    ["an empty ref string", { ...valid, input_ref: "" }, [{ pointer: "/input_ref", message: "must not be empty" }]],
    ["a relative ref string", { ...valid, input_ref: "in/doc.pdf" }, [{ pointer: "/input_ref", message: "must be an absolute URI (with a scheme)" }]],
    [
      "a ref object with problems",
      { ...valid, output_ref: { url: "x", size_bytes: -1 } },
      [
        { pointer: "/output_ref/uri", message: "uri is required" },
        { pointer: "/output_ref/url", message: 'unknown property "url"' },
        { pointer: "/output_ref/size_bytes", message: "must be ≥ 0" },
      ],
    ],
    ["a payload that is not an object", { ...valid, payload: "x" }, [{ pointer: "/payload", message: "must be an object" }]],
    [
      "steps mixed with shared fields",
      { ...valid, payload: { steps: {}, model: "m" } },
      [{ pointer: "/payload/model", message: 'property "model" is not allowed here when steps is given' }],
    ],
    ["a step part that is not an object", { ...valid, payload: { steps: { ocr: 1 } } }, [{ pointer: "/payload/steps/ocr", message: "must be an object" }]],
  ];
  it.each(cases)("%s", (_name, body, expected) => {
    expect(errorsOf(body)).toEqual(expected);
  });

  it("rejects a traceparent that is malformed or all-zero", () => {
    for (const traceparent of [
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
    ]) {
      const errors = errorsOf({ ...valid, traceparent });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.pointer).toBe("/traceparent");
      expect(errors[0]!.message).toMatch(/W3C traceparent/);
    }
  });

  it("rejects tenant ids that would break routing keys or table keys", () => {
    for (const tenant_id of ["a:b", "a/b", "a#b", "   ", "a\u0000b"]) {
      expect(errorsOf({ ...valid, tenant_id }).map((e) => e.pointer)).toEqual(["/tenant_id"]);
    }
  });

  it("bounds huge strings with a pointer at the field", () => {
    const errors = errorsOf({ ...valid, doc_id: "d".repeat(100_000), input_ref: `https://x/${"a".repeat(5000)}` });
    expect(errors).toContainEqual({ pointer: "/doc_id", message: "must be at most 256 characters long" });
    expect(errors).toContainEqual({ pointer: "/input_ref", message: "must be at most 2048 characters long" });
  });

  it("escapes pointer tokens and caps the number of issues", () => {
    const extra = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x/${i}~`, i]));
    const errors = errorsOf({ ...valid, ...extra });
    expect(errors[0]).toEqual({ pointer: "/x~10~0", message: 'unknown property "x/0~"' });
    expect(errors).toHaveLength(51);
    expect(errors[50]).toEqual({ pointer: "", message: "150 more problems not shown" });
  });

  it("reports every problem at once", () => {
    const errors = errorsOf({ ...valid, mode: "BURST", input_ref: 1, schema_version: 1, extra: true });
    expect(errors.map((e) => e.pointer).sort()).toEqual(["/doc_id", "/extra", "/input_ref", "/schema_version"]);
  });
});
