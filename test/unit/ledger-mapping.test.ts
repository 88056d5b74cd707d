import { describe, expect, it } from "vitest";
import { jobFromEntity, jobToEntity } from "../../lib/ledger/mapping.js";
import { EntityTooLargeError, JobState, type Job } from "../../lib/ledger/index.js";

const base: Omit<Job, "etag"> = {
  job_id: "j1",
  tenant_id: "t1",
  request_type: "OCR",
  protocol_id: "atomic-ocr.v1",
  state: JobState.QUEUED,
  mode: "DEFAULT",
  input_ref: { uri: "https://x/in", size_bytes: 3 },
  output_ref: "https://x/out",
  payload: { language_hint: "de" },
  step_count: 1,
  created_at: "2024-01-01T00:00:00.000Z",
  updated_at: "2024-01-01T00:00:00.000Z",
  redrive_count: 0,
};

describe("job mapping", () => {
  it("round-trips refs of both shapes and omits absent fields", () => {
    const entity = jobToEntity(base, "t1", "rk");
    expect(entity).not.toHaveProperty("doc_id");
    expect(typeof entity.input_ref).toBe("string");
    expect(jobFromEntity({ ...entity, etag: "e" })).toEqual({ ...base, etag: "e" });
  });

  it("splits a large payload over several properties, each within the string limit", () => {
    const payload = { text: "x".repeat(100_000) };
    const entity = jobToEntity({ ...base, payload }, "t1", "rk");
    const parts = Object.keys(entity).filter((k) => k.startsWith("payload"));
    expect(parts.length).toBeGreaterThan(1);
    for (const k of parts) expect((entity[k] as string).length * 2).toBeLessThanOrEqual(64 * 1024);
    expect(jobFromEntity({ ...entity, etag: "e" }).payload).toEqual(payload);
  });

  it("rejects a row over the entity limit with a typed error", () => {
    const payload = { text: "x".repeat(600_000) };
    expect(() => jobToEntity({ ...base, payload }, "t1", "rk")).toThrow(EntityTooLargeError);
  });

  it("rejects an oversized single string property", () => {
    expect(() => jobToEntity({ ...base, doc_id: "d".repeat(40_000) }, "t1", "rk")).toThrow(/doc_id/);
  });
});
