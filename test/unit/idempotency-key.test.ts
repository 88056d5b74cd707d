import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CommandEnvelope } from "../../lib/contracts/index.js";
import { bodyHash, canonicalJson, commandFingerprint, idempotencyKey } from "../../lib/idempotency-key.js";

const envelope: CommandEnvelope = {
  tenant_id: "acme",
  request_type: "OCR->EMBEDDING",
  input_ref: { uri: "https://x/in", content_type: "application/pdf" },
  output_ref: "https://x/out",
  payload: { model: "m", chunking: { max_tokens: 512, overlap_tokens: 64 } },
  schema_version: "v1",
  doc_id: "doc-1",
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("canonicalJson", () => {
  it("sorts keys recursively, drops null/undefined members, keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, null, { z: 1, y: null }], c: undefined }, e: null })).toBe('{"a":{"d":[3,null,{"z":1}]},"b":1}');
  });

  it("writes numbers and strings as JSON", () => {
    expect(canonicalJson([1.5, -0, 1e21, 0.1, 'é\n"', true])).toBe('[1.5,0,1e+21,0.1,"é\\n\\"",true]');
  });

  it("refuses values JSON cannot carry", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});

describe("commandFingerprint", () => {
  it("is SHA-256 of the canonical identifying fields", () => {
    const canonical =
      '{"doc_id":"doc-1","input_ref":{"content_type":"application/pdf","uri":"https://x/in"},"output_ref":"https://x/out",' +
      '"payload":{"chunking":{"max_tokens":512,"overlap_tokens":64},"model":"m"},"request_type":"OCR->EMBEDDING","schema_version":"v1","tenant_id":"acme"}';
    expect(commandFingerprint(envelope)).toBe(sha256(canonical));
  });

  it("ignores key order, nulls and delivery fields", () => {
    const reordered = JSON.parse(
      '{"payload":{"chunking":{"overlap_tokens":64,"max_tokens":512},"model":"m","x":null},"schema_version":"v1","doc_id":"doc-1",' +
        '"output_ref":"https://x/out","input_ref":{"uri":"https://x/in","content_type":"application/pdf"},"request_type":"OCR->EMBEDDING","tenant_id":"acme"}',
    ) as CommandEnvelope;
    expect(commandFingerprint(reordered)).toBe(commandFingerprint(envelope));
    expect(commandFingerprint({ ...envelope, correlation_id: "c", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })).toBe(
      commandFingerprint(envelope),
    );
  });

  it("changes with the payload, the document or the tenant", () => {
    const base = commandFingerprint(envelope);
    expect(commandFingerprint({ ...envelope, payload: { model: "other" } })).not.toBe(base);
    expect(commandFingerprint({ ...envelope, doc_id: "doc-2" })).not.toBe(base);
    expect(commandFingerprint({ ...envelope, tenant_id: "other" })).not.toBe(base);
  });
});

describe("idempotencyKey", () => {
  it("prefers the client's key", () => {
    expect(idempotencyKey({ ...envelope, idempotency_key: "k-1" })).toEqual({ key: "k-1", source: "client" });
  });

  it("falls back to the fingerprint", () => {
    expect(idempotencyKey(envelope)).toEqual({ key: commandFingerprint(envelope), source: "fingerprint" });
  });
});

describe("bodyHash", () => {
  it("ignores idempotency_key, correlation_id and traceparent", () => {
    expect(
      bodyHash({ ...envelope, idempotency_key: "k-1", correlation_id: "c-1", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }),
    ).toBe(bodyHash(envelope));
  });

  it("covers every other field, including mode", () => {
    expect(bodyHash({ ...envelope, mode: "BURST" })).not.toBe(bodyHash(envelope));
    expect(bodyHash({ ...envelope, payload: { model: "m2" } })).not.toBe(bodyHash(envelope));
    expect(bodyHash(envelope)).toBe(sha256(canonicalJson(envelope)));
  });
});
