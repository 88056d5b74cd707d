import { describe, expect, it } from "vitest";
import type { JobView, StepView } from "../../cli/api-client.js";
import { Output, table } from "../../cli/output.js";
import { LiveProgress, PlainProgress, progressDisplay } from "../../cli/progress.js";

function capture(isTTY: boolean) {
  const text = { out: "", err: "" };
  const output = (json = false) =>
    new Output(json, { isTTY, write: (t: string) => (text.out += t) }, { isTTY, write: (t: string) => (text.err += t) }, { NO_COLOR: "1" });
  return { text, output };
}

const t = (s: number) => new Date(Date.UTC(2026, 2, 3, 10, 0, s)).toISOString();
const step = (step_id: string, state: StepView["state"], attempt_no: number, extra: Partial<StepView> = {}): StepView => ({
  job_id: "j1",
  step_id,
  service: `platform-${step_id}`,
  created_at: t(0),
  updated_at: t(0),
  index: ["ocr", "embedding", "sis"].indexOf(step_id),
  step_type: step_id.toUpperCase(),
  state,
  attempt_no,
  ...extra,
});
const job = (state: JobView["state"], steps: StepView[], extra: Partial<JobView> = {}): JobView => ({
  job_id: "j1",
  tenant_id: "t",
  request_type: "OCR->EMBEDDING->SIS",
  protocol_id: "ocr-embedding-sis.v1",
  mode: "DEFAULT",
  input_ref: "https://example.com/in/doc.png",
  output_ref: "https://example.com/out/doc/",
  payload: {},
  step_count: steps.length,
  redrive_count: 0,
  links: { self: "/v1/jobs/j1", steps: "/v1/jobs/j1/steps", events: "/v1/jobs/j1/events" },
  state,
  created_at: t(0),
  updated_at: t(0),
  steps,
  ...extra,
});

const snapshots = [
  job("QUEUED", [step("ocr", "PENDING", 0), step("embedding", "PENDING", 0), step("sis", "PENDING", 0)]),
  job("RUNNING", [step("ocr", "DISPATCHED", 1, { dispatched_at: t(1) }), step("embedding", "PENDING", 0), step("sis", "PENDING", 0)]),
  job("RUNNING", [step("ocr", "DISPATCHED", 1, { dispatched_at: t(1) }), step("embedding", "PENDING", 0), step("sis", "PENDING", 0)]),
  job("RUNNING", [step("ocr", "RETRY_WAIT", 1, { dispatched_at: t(1) }), step("embedding", "PENDING", 0), step("sis", "PENDING", 0)]),
  job("RUNNING", [
    step("ocr", "SUCCEEDED", 2, { dispatched_at: t(3), completed_at: t(5) }),
    step("embedding", "ACKED", 1, { dispatched_at: t(5) }),
    step("sis", "PENDING", 0),
  ]),
];
const failed = job(
  "FAILED",
  [
    step("ocr", "SUCCEEDED", 2, { dispatched_at: t(3), completed_at: t(5) }),
    step("embedding", "FAILED", 1, { dispatched_at: t(5), completed_at: t(6), error: { code: "INVALID_PAYLOAD", message: "bad chunking" } }),
    step("sis", "PENDING", 0),
  ],
  { completed_at: t(7), error: { code: "INVALID_PAYLOAD", message: "bad chunking", step_id: "embedding" } },
);

describe("plain progress (not a terminal)", () => {
  it("prints one line per change of a step's state or attempt, not-yet-started steps left out, the job's end last", () => {
    const { text, output } = capture(false);
    const display = new PlainProgress(output());
    for (const snapshot of snapshots) display.update(snapshot);
    display.finish(failed);
    const lines = text.out
      .trimEnd()
      .split("\n")
      .map((l) => l.replace(/^\[ *[\d.]+m?s\] /, ""));
    expect(lines).toEqual([
      "job j1 QUEUED",
      "job j1 RUNNING",
      "ocr OCR DISPATCHED (attempt 1)",
      "ocr OCR RETRY_WAIT (attempt 1)",
      "ocr OCR SUCCEEDED (attempt 2) in 2.0s",
      "embedding EMBEDDING ACKED (attempt 1)",
      "embedding EMBEDDING FAILED (attempt 1) in 1.0s INVALID_PAYLOAD: bad chunking",
      "job j1 FAILED in 7.0s — INVALID_PAYLOAD: bad chunking",
    ]);
    expect(text.out).not.toContain("\x1b");
  });

  it("goes to stderr under --json, so stdout keeps only the JSON document", () => {
    const { text, output } = capture(false);
    progressDisplay(output(true)).update(snapshots[1]!);
    expect(text.out).toBe("");
    expect(text.err).toContain("ocr OCR DISPATCHED (attempt 1)");
  });
});

describe("live progress (a terminal)", () => {
  it("redraws the block in place: the cursor goes back up over every line drawn before", () => {
    const { text, output } = capture(true);
    const display = progressDisplay(output());
    expect(display).toBeInstanceOf(LiveProgress);
    display.update(snapshots[1]!);
    const first = text.out;
    expect(first.startsWith("\x1b[2Kjob j1  OCR->EMBEDDING->SIS  RUNNING")).toBe(true);
    expect(first.split("\n").filter(Boolean)).toHaveLength(4);
    text.out = "";
    display.finish(failed);
    expect(text.out.startsWith("\x1b[4A\r")).toBe(true);
    expect(text.out).toMatch(/✓ +ocr +OCR +SUCCEEDED +attempt 2 +2\.0s/);
    expect(text.out).toMatch(/✗ +embedding +EMBEDDING +FAILED/);
    expect(text.out).toMatch(/· +sis +SIS +PENDING/);
  });
});

describe("table", () => {
  it("aligns columns, ignoring colour codes in the width", () => {
    expect(
      table(
        [
          ["a", "\x1b[32mSUCCEEDED\x1b[0m", "x"],
          ["bbbb", "FAILED", "y"],
        ],
        ["ID", "STATE", "N"],
      ),
    ).toBe(["ID    STATE      N", "a     \x1b[32mSUCCEEDED\x1b[0m  x", "bbbb  FAILED     y"].join("\n"));
  });
});
