import { describe, expect, it } from "vitest";
import { replayCopy, replayMessageId, toDeadLetter, type ReceivedLetter } from "../../cli/dlq/azure-mapping.js";

// What @azure/service-bus hands a DLQ receiver, built by hand: these tests cover the mapping
// only; the Azure back-end itself is not exercised here (no namespace in the test environment).
const queue = { topic: "replies", subscription: "orchestrator" };
const received: ReceivedLetter = {
  body: { type: "RESULT", job_id: "j1" },
  messageId: "j1:ocr:1:RESULT",
  contentType: "application/json",
  correlationId: "corr-1",
  subject: "RESULT",
  applicationProperties: { step_type: "OCR", tenant_id: "t1", lane: 3 },
  enqueuedTimeUtc: new Date("2026-03-03T10:00:00.000Z"),
  deliveryCount: 10,
  deadLetterReason: "MaxDeliveryCountExceeded",
  deadLetterErrorDescription: "handler failed",
  // Larger than Number.MAX_SAFE_INTEGER: the Long's decimal text must survive unchanged.
  sequenceNumber: { toString: () => "9223372036854775807" },
};

describe("toDeadLetter", () => {
  it("keeps the queue, the 64-bit sequence number as text, the dead-letter reason and every property", () => {
    expect(toDeadLetter(queue, received)).toEqual({
      topic: "replies",
      subscription: "orchestrator",
      sequenceNumber: "9223372036854775807",
      messageId: "j1:ocr:1:RESULT",
      subject: "RESULT",
      correlationId: "corr-1",
      contentType: "application/json",
      enqueuedTimeUtc: "2026-03-03T10:00:00.000Z",
      deliveryCount: 10,
      deadLetterReason: "MaxDeliveryCountExceeded",
      deadLetterErrorDescription: "handler failed",
      applicationProperties: { step_type: "OCR", tenant_id: "t1", lane: 3 },
      body: { type: "RESULT", job_id: "j1" },
    });
  });

  it("shows a binary body as text and leaves absent fields out", () => {
    const letter = toDeadLetter(queue, { body: Buffer.from("not json"), sequenceNumber: { toString: () => "7" } } as ReceivedLetter);
    expect(letter).toEqual({ topic: "replies", subscription: "orchestrator", sequenceNumber: "7", applicationProperties: {}, body: "not json" });
  });
});

describe("replay copies", () => {
  it("get a new message id (:replay:n counts up), so the topic's duplicate detection does not drop them", () => {
    expect(replayMessageId("j1:ocr:1:RESULT")).toBe("j1:ocr:1:RESULT:replay:1");
    expect(replayMessageId("j1:ocr:1:RESULT:replay:1")).toBe("j1:ocr:1:RESULT:replay:2");
    expect(replayMessageId("j1:ocr:1:RESULT:replay:9")).toBe("j1:ocr:1:RESULT:replay:10");
  });

  it("carry the body, routing properties and application properties, not the dead-letter fields", () => {
    const copy = replayCopy(received, { keepId: false });
    expect(copy).toEqual({
      body: received.body,
      messageId: "j1:ocr:1:RESULT:replay:1",
      contentType: "application/json",
      correlationId: "corr-1",
      subject: "RESULT",
      applicationProperties: { step_type: "OCR", tenant_id: "t1", lane: 3 },
    });
    expect(copy.applicationProperties).not.toBe(received.applicationProperties);
  });

  it("keep the original id with --keep-id", () => {
    expect(replayCopy(received, { keepId: true }).messageId).toBe("j1:ocr:1:RESULT");
  });
});
