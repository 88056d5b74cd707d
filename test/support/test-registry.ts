import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../lib/paths.js";

type Protocol = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The shipped registry plus protocols the tests need and no deployment should have: reviews that
 * time out in a second (`OCR->REVIEW(1s, approve|reject)->EMBEDDING`) and an OCR that must end
 * within 2 s (`OCR(sla 2s)`), and an OCR that backs off 30 s before its retry (`OCR(backoff 30s)`). Written to a file for LUCIUS_PROTOCOL_REGISTRY; returns its path.
 */
export function testRegistryFile(): string {
  const registry = JSON.parse(readFileSync(join(packageRoot, "protocols/registry.v1.json"), "utf8")) as { protocols: Protocol[] };
  const reviewed = registry.protocols.find((p) => p.protocol_id === "ocr-review-embedding-sis.v1")!;
  const [ocr, review, embedding] = reviewed.steps;
  for (const on_timeout of ["approve", "reject"]) {
    registry.protocols.push({
      protocol_id: `review-timeout-${on_timeout}.test`,
      request_types: [`OCR->REVIEW(1s, ${on_timeout})->EMBEDDING`],
      // reject is the default: left unsaid.
      steps: [ocr, { ...review, when: "always", timeout_seconds: 1, ...(on_timeout === "approve" ? { on_timeout } : {}) }, embedding],
    });
  }
  const atomicOcr = registry.protocols.find((p) => p.protocol_id === "atomic-ocr.v1")!;
  registry.protocols.push({ ...atomicOcr, protocol_id: "ocr-sla.test", request_types: ["OCR(sla 2s)"], sla_seconds: 2 });
  const [atomicStep] = atomicOcr.steps;
  registry.protocols.push({
    protocol_id: "ocr-backoff.test",
    request_types: ["OCR(backoff 30s)"],
    steps: [{ ...atomicStep, retry: { max_attempts: 2, backoff_seconds: [30] } }],
  });
  const file = join(mkdtempSync(join(tmpdir(), "lucius-registry-")), "registry.json");
  writeFileSync(file, JSON.stringify(registry));
  return file;
}
