import { describe, expect, it } from "vitest";
import { loadContracts, type CommandEnvelope, type Protocol } from "../../lib/contracts/index.js";

const contracts = loadContracts();

function envelope(requestType: string, payload: Record<string, unknown>): CommandEnvelope {
  return { tenant_id: "acme", request_type: requestType, input_ref: "https://x/in", output_ref: "https://x/out", payload, schema_version: "v1" };
}

function protocolFor(requestType: string): Protocol {
  const protocol = contracts.resolveProtocol(requestType);
  if (!protocol) throw new Error(`no protocol for ${requestType}`);
  return protocol;
}

function split(requestType: string, payload: Record<string, unknown>) {
  const body = envelope(requestType, payload);
  expect(contracts.validateEnvelope(body).ok).toBe(true);
  return contracts.stepPayloads(body, protocolFor(requestType));
}

describe("resolveProtocol", () => {
  it.each([
    ["OCR->EMBEDDING->SIS", "ocr-embedding-sis.v1", ["ocr", "embedding", "sis"]],
    ["OCR->EMBEDDING", "ocr-embedding.v1", ["ocr", "embedding"]],
    ["EMBEDDING->SIS", "embedding-sis.v1", ["embedding", "sis"]],
    ["OCR", "atomic-ocr.v1", ["ocr"]],
    ["EMBEDDING", "atomic-embedding.v1", ["embedding"]],
    ["SIS", "atomic-sis.v1", ["sis"]],
  ])("%s → %s", (requestType, protocolId, stepIds) => {
    const protocol = protocolFor(requestType);
    expect(protocol.protocol_id).toBe(protocolId);
    expect(protocol.steps.map((s) => s.step_id)).toEqual(stepIds);
  });

  it("is exact and returns undefined for unknown request types", () => {
    expect(contracts.resolveProtocol("ocr")).toBeUndefined();
    expect(contracts.resolveProtocol("OCR->SIS")).toBeUndefined();
    expect(contracts.resolveProtocol("__proto__")).toBeUndefined();
  });
});

describe("stepPayloads", () => {
  it("gives each step only the shared fields its schema declares", () => {
    const result = split("OCR->EMBEDDING->SIS", { language_hint: "de", model: "m", chunking: { max_tokens: 512 }, temperature: 0.2 });
    expect(result).toEqual({
      ok: true,
      value: { ocr: { language_hint: "de" }, embedding: { model: "m", chunking: { max_tokens: 512 } }, sis: { temperature: 0.2 } },
    });
  });

  it("fills missing per-step parts with {}", () => {
    const result = split("OCR->EMBEDDING->SIS", { steps: { sis: { response_format: "JSON" } } });
    expect(result).toEqual({ ok: true, value: { ocr: {}, embedding: {}, sis: { response_format: "JSON" } } });
  });

  it("points per-step errors into /payload/steps/<step_id>", () => {
    const result = split("OCR->EMBEDDING->SIS", {
      steps: { ocr: { output_format: "XML" }, embedding: { chunking: { overlap_tokens: -1, size: 3 } }, sis: { temperature: 2.5 } },
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { pointer: "/payload/steps/ocr/output_format", message: "must be one of: TEXT, JSON" },
        { pointer: "/payload/steps/embedding/chunking/size", message: 'unknown property "size"' },
        { pointer: "/payload/steps/embedding/chunking/overlap_tokens", message: "must be ≥ 0" },
        { pointer: "/payload/steps/sis/temperature", message: "must be ≤ 2" },
      ],
    });
  });

  it("rejects step ids the protocol does not have", () => {
    const result = split("OCR", { steps: { ocr: {}, sis: { temperature: 1 } } });
    expect(result).toEqual({
      ok: false,
      errors: [{ pointer: "/payload/steps/sis", message: 'protocol "atomic-ocr.v1" has no step "sis" (steps: ocr)' }],
    });
  });

  it("points shared-payload errors into /payload and rejects fields no step takes", () => {
    const result = split("OCR->EMBEDDING", { output_format: "XML", normalize: "yes", temperature: 1 });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: "/payload/temperature",
          message:
            'no step of protocol "ocr-embedding.v1" takes "temperature" (fields: chunking, language_hint, model, normalize, ocr_engine, output_format, page_range)',
        },
        { pointer: "/payload/output_format", message: "must be one of: TEXT, JSON" },
        { pointer: "/payload/normalize", message: "must be a boolean" },
      ],
    });
  });

  it("lets a step without payload schema take the whole shared payload", () => {
    const protocol: Protocol = {
      protocol_id: "custom.v1",
      request_types: ["CUSTOM"],
      steps: [
        { step_id: "ocr", step_type: "OCR", service: "platform-ocr", payload_schema_ref: "https://lucius.dev/contracts/steps/ocr.v1.schema.json" },
        { step_id: "free", step_type: "FREE", service: "platform-free" },
      ],
    };
    const result = contracts.stepPayloads(envelope("CUSTOM", { language_hint: "fr", anything: [1] }), protocol);
    expect(result).toEqual({ ok: true, value: { ocr: { language_hint: "fr" }, free: { language_hint: "fr", anything: [1] } } });
  });
});
