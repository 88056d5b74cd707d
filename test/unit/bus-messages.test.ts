import { describe, expect, it } from "vitest";
import { directiveMessage, replyMessage, BusBadRequestError } from "../../lib/bus/index.js";
import type { CancelMessage, Directive, HeartbeatReply, ResultReply } from "../../lib/contracts/types.gen.js";

const directive: Directive = {
  type: "DIRECTIVE",
  job_id: "job-1",
  tenant_id: "acme",
  step_id: "ocr",
  step_type: "OCR",
  protocol_id: "atomic-ocr.v1",
  attempt_no: 2,
  lease_id: "0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b",
  lease_expires_at: "2030-01-01T00:00:00Z",
  input_ref: "https://example.test/in.pdf",
  workspace_ref: "https://example.test/ws/",
  output_ref: "https://example.test/out/",
  payload: { language_hint: "en" },
  mode: "DEFAULT",
  lane: 7,
  routing_key_used: "acme",
};

describe("directiveMessage", () => {
  it("builds the documented id, subject and application properties", () => {
    const message = directiveMessage(directive);
    expect(message.messageId).toBe("job-1:ocr:2:DIRECTIVE");
    expect(message.subject).toBe("DIRECTIVE");
    expect(message.applicationProperties).toEqual({ step_type: "OCR", tenant_id: "acme", lane: 7 });
    expect(message.body).toBe(directive);
  });

  it("correlates by the command's correlation id, else by job id", () => {
    expect(directiveMessage(directive).correlationId).toBe("job-1");
    expect(directiveMessage({ ...directive, correlation_id: "corr-9" }).correlationId).toBe("corr-9");
  });

  it("gives a CANCEL its own id so it is not dropped as a duplicate of the directive", () => {
    const { payload: _payload, ...rest } = directive;
    const cancel: CancelMessage = { ...rest, type: "CANCEL" };
    const message = directiveMessage(cancel);
    expect(message.messageId).toBe("job-1:ocr:2:CANCEL");
    expect(message.subject).toBe("CANCEL");
  });
});

describe("replyMessage", () => {
  const common = {
    job_id: "job-1",
    step_id: "embedding",
    tenant_id: "acme",
    attempt_no: 1,
    lease_id: "0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b",
    timestamp: "2030-01-01T00:00:00Z",
  };

  it("ids a RESULT once per attempt and stamps routing properties when given", () => {
    const result: ResultReply = { ...common, type: "RESULT", status: "SUCCEEDED" };
    const message = replyMessage(result, undefined, { stepType: "EMBEDDING", lane: 3 });
    expect(message.messageId).toBe("job-1:embedding:1:0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b:RESULT");
    expect(message.subject).toBe("RESULT");
    expect(message.applicationProperties).toEqual({ tenant_id: "acme", step_type: "EMBEDDING", lane: 3 });
  });

  it("adds the heartbeat sequence, from the argument or from the reply", () => {
    const heartbeat: HeartbeatReply = { ...common, type: "HEARTBEAT", sequence: 4 };
    expect(replyMessage(heartbeat).messageId).toBe("job-1:embedding:1:0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b:HEARTBEAT:4");
    expect(replyMessage(heartbeat, 5).messageId).toBe("job-1:embedding:1:0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b:HEARTBEAT:5");
  });

  it("carries the lease, so the id of a reply cannot be computed from the job, step and attempt alone", () => {
    const ack = replyMessage({ ...common, type: "ACK" });
    expect(ack.messageId).toContain(common.lease_id);
    expect(ack.messageId).not.toBe(replyMessage({ ...common, lease_id: "1b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b", type: "ACK" }).messageId);
    // Past Service Bus's 128 characters (a UUID job id, a 64-character step id): the id's SHA-256, still per lease.
    const long = { ...common, job_id: "0b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b", step_id: "s".repeat(64), type: "HEARTBEAT" as const, sequence: 999999999 };
    expect(replyMessage(long).messageId).toMatch(/^[0-9a-f]{64}$/);
    expect(replyMessage(long).messageId).toBe(replyMessage(long).messageId);
    expect(replyMessage({ ...long, lease_id: "1b9f6a4e-3c1d-4f6a-9b2e-1c2d3e4f5a6b" }).messageId).not.toBe(replyMessage(long).messageId);
  });

  it("refuses a heartbeat without a sequence and an ACK with one", () => {
    const heartbeat: HeartbeatReply = { ...common, type: "HEARTBEAT" };
    expect(() => replyMessage(heartbeat)).toThrow(BusBadRequestError);
    expect(() => replyMessage({ ...common, type: "ACK" }, 1)).toThrow(BusBadRequestError);
  });
});
