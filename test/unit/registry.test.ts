import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContractError, loadContracts, RegistryError, SchemaIds, type ProtocolRegistry } from "../../lib/contracts/index.js";
import { protocolsDir } from "../../lib/paths.js";

const shipped = JSON.parse(readFileSync(join(protocolsDir, "registry.v1.json"), "utf8")) as ProtocolRegistry;
const copy = (): ProtocolRegistry => structuredClone(shipped);

function registryError(registry: unknown): RegistryError {
  try {
    loadContracts({ registry });
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as RegistryError).code).toBe("REGISTRY_INVALID");
    return error as RegistryError;
  }
  throw new Error("expected the registry to be rejected");
}

describe("the shipped registry", () => {
  it("loads and serves the seven protocols with the documented steps and services", () => {
    const { registry } = loadContracts();
    expect(registry.protocols.map((p) => [p.protocol_id, p.request_types])).toEqual([
      ["ocr-embedding-sis.v1", ["OCR->EMBEDDING->SIS"]],
      ["ocr-embedding.v1", ["OCR->EMBEDDING"]],
      ["embedding-sis.v1", ["EMBEDDING->SIS"]],
      ["atomic-ocr.v1", ["OCR"]],
      ["atomic-embedding.v1", ["EMBEDDING"]],
      ["atomic-sis.v1", ["SIS"]],
      ["ocr-review-embedding-sis.v1", ["OCR->REVIEW->EMBEDDING->SIS"]],
    ]);
    const steps = new Map(registry.protocols.flatMap((p) => p.steps.map((s) => [s.step_id, s])));
    expect([...steps.values()].map((s) => [s.step_id, s.step_type, s.service, s.payload_schema_ref])).toEqual([
      ["ocr", "OCR", "platform-ocr", SchemaIds.ocrPayload],
      ["embedding", "EMBEDDING", "platform-embedding", SchemaIds.embeddingPayload],
      ["sis", "SIS", "platform-sis", SchemaIds.sisPayload],
      ["review", "REVIEW", undefined, SchemaIds.reviewPayload],
    ]);
    expect(steps.get("review")?.when).toEqual({ metric: "mean_confidence", below: 0.8 });
  });

  it("exposes every schema by $id", () => {
    const { schemas } = loadContracts();
    for (const id of Object.values(SchemaIds)) expect(schemas.get(id)?.$id).toBe(id);
  });

  it("accepts timeout_overrides and a sane retry policy", () => {
    const registry = copy();
    registry.protocols[0]!.steps[2]!.timeout_overrides = { ack_seconds: 60, lease_seconds: 1800 };
    registry.protocols[0]!.steps[2]!.retry = { max_attempts: 4, backoff_seconds: [10, 10, 60] };
    expect(loadContracts({ registry }).registry.protocols[0]!.steps[2]!.retry?.max_attempts).toBe(4);
  });
});

describe("a bad registry stops start-up with RegistryError", () => {
  const review = () => copy().protocols.find((p) => p.protocol_id === "ocr-review-embedding-sis.v1")!;
  const withReview = (change: (step: Record<string, unknown>) => void) => {
    const registry = copy();
    const protocol = registry.protocols.find((p) => p.protocol_id === "ocr-review-embedding-sis.v1")!;
    change(protocol.steps[1] as unknown as Record<string, unknown>);
    return registryError(registry).issues;
  };

  it("refuses a REVIEW step with a service, a worker step without one, and review fields on a worker step", () => {
    expect(review().steps[1]!.step_type).toBe("REVIEW");
    expect(withReview((s) => (s.service = "platform-review")).length).toBeGreaterThan(0);
    const registry = copy();
    delete (registry.protocols[0]!.steps[0] as { service?: string }).service;
    expect(registryError(registry).issues.length).toBeGreaterThan(0);
    const onWorker = copy();
    (onWorker.protocols[0]!.steps[0] as { when?: unknown }).when = "always";
    expect(registryError(onWorker).issues.length).toBeGreaterThan(0);
  });

  it("refuses a condition with neither bound, and a REVIEW step last in its protocol", () => {
    expect(withReview((s) => (s.when = { metric: "mean_confidence" })).length).toBeGreaterThan(0);
    const registry = copy();
    const protocol = registry.protocols.find((p) => p.protocol_id === "ocr-review-embedding-sis.v1")!;
    protocol.steps = protocol.steps.slice(0, 2);
    expect(registryError(registry).issues).toEqual([
      {
        pointer: "/protocols/6/steps/1/step_type",
        message: 'a REVIEW step cannot be the last step of protocol "ocr-review-embedding-sis.v1": the last step writes the job\'s output',
      },
    ]);
  });

  it("names a request type served twice", () => {
    const registry = copy();
    registry.protocols[3]!.request_types.push("OCR->EMBEDDING");
    const error = registryError(registry);
    expect(error.issues).toEqual([
      {
        pointer: "/protocols/3/request_types/1",
        message: 'request type "OCR->EMBEDDING" is already served by protocol "ocr-embedding.v1"; a request type must resolve to one protocol',
      },
    ]);
    expect(error.message).toBe(
      'Protocol registry (given object) is invalid:\n  /protocols/3/request_types/1: request type "OCR->EMBEDDING" is already served by protocol "ocr-embedding.v1"; a request type must resolve to one protocol',
    );
  });

  it("names an unresolvable payload_schema_ref, duplicate ids and an insane retry policy", () => {
    const registry = copy();
    registry.protocols[1]!.steps[0]!.payload_schema_ref = "https://lucius.dev/contracts/steps/ocr.v2.schema.json";
    registry.protocols[2]!.protocol_id = "ocr-embedding.v1";
    registry.protocols[0]!.steps[1]!.step_id = "ocr";
    registry.protocols[5]!.steps[0]!.retry = { max_attempts: 2, backoff_seconds: [600, 30] };
    expect(registryError(registry).issues).toEqual([
      { pointer: "/protocols/0/steps/1/step_id", message: 'duplicate step_id "ocr" in protocol "ocr-embedding-sis.v1"' },
      {
        pointer: "/protocols/1/steps/0/payload_schema_ref",
        message: '"https://lucius.dev/contracts/steps/ocr.v2.schema.json" is not the $id of any schema in contracts/',
      },
      { pointer: "/protocols/2/protocol_id", message: 'duplicate protocol_id "ocr-embedding.v1" (first at /protocols/1)' },
      { pointer: "/protocols/5/steps/0/retry/backoff_seconds", message: "has 2 entries but max_attempts 2 allows only 1 retry" },
      { pointer: "/protocols/5/steps/0/retry/backoff_seconds/1", message: "must not be shorter than the backoff before it (30 < 600)" },
    ]);
  });

  it("names schema violations by pointer", () => {
    const registry = copy() as unknown as { protocols: Array<Record<string, unknown> & { steps: Array<Record<string, unknown>> }> };
    registry.protocols[0]!.request_types = [];
    registry.protocols[1]!.steps[0]!.timeout = 30;
    delete registry.protocols[2]!.steps[1]!.service;
    registry.protocols[3]!.steps[0]!.retry = { max_attempts: 0 };
    expect(registryError(registry).issues).toEqual([
      { pointer: "/protocols/0/request_types", message: "must have at least 1 item" },
      { pointer: "/protocols/1/steps/0/timeout", message: 'unknown property "timeout"' },
      { pointer: "/protocols/2/steps/1/service", message: "service is required" },
      { pointer: "/protocols/3/steps/0/retry/max_attempts", message: "must be ≥ 1" },
    ]);
    expect(registryError({ schema_version: "v1", protocols: [] }).issues).toEqual([{ pointer: "/protocols", message: "must have at least 1 item" }]);
  });

  it("names the file when the registry on disk is broken", () => {
    const dir = mkdtempSync(join(tmpdir(), "lucius-registry-"));
    const file = join(dir, "registry.v1.json");
    writeFileSync(file, "{ not json");
    const error = registryError(file);
    expect(error.source).toBe(file);
    expect(error.message).toContain(`Protocol registry ${file} is invalid:`);
    expect(error.message).toMatch(/is not valid JSON/);
    expect(registryError(join(dir, "missing.json")).message).toMatch(/cannot be read/);
  });
});
