import type { JobView, StepView } from "./api-client.js";
import { jobElapsed, stepElapsed } from "./job-format.js";
import { duration, table, type Output } from "./output.js";

/** Shows a job while it runs; `update` is called with every fresh snapshot. */
export interface ProgressDisplay {
  update(job: JobView): void;
  /** Called once with the terminal snapshot. */
  finish(job: JobView): void;
}

/** The live display on a terminal, plain lines otherwise. */
export function progressDisplay(out: Output, startedAt = Date.now()): ProgressDisplay {
  return out.interactive ? new LiveProgress(out) : new PlainProgress(out, startedAt);
}

/** The longest step state (DISPATCHED, RETRY_WAIT, CANCELLING…). */
const stateWidth = 10;
const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A block redrawn in place: a header line and one line per step. */
export class LiveProgress implements ProgressDisplay {
  private drawn = 0;
  private frame = 0;

  constructor(private readonly out: Output) {}

  update(job: JobView): void {
    this.draw(job);
  }

  finish(job: JobView): void {
    this.draw(job);
  }

  private draw(job: JobView): void {
    const stream = this.out.human;
    const lines = this.lines(job);
    // Up to the block's first line, then rewrite every line (clearing what was there).
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A\r` : "";
    for (const line of lines) text += `\x1b[2K${line}\n`;
    stream.write(text);
    this.drawn = lines.length;
    this.frame++;
  }

  private lines(job: JobView): string[] {
    const out = this.out;
    const waiting = job.waiting_for?.kind === "review" ? `  waiting for ${job.waiting_for.description}` : "";
    const header = `job ${job.job_id}  ${job.request_type}  ${out.state(job.state)}  ${jobElapsed(job)}${waiting}`;
    const rows = (job.steps ?? []).map((step) => [
      this.mark(step),
      step.step_id,
      step.step_type,
      // A fixed width, so the columns do not shift as states change.
      out.state(step.state.padEnd(stateWidth)),
      step.attempt_no > 1 ? `attempt ${step.attempt_no}` : "",
      stepElapsed(step),
    ]);
    return [
      header,
      ...table(rows)
        .split("\n")
        .map((row) => `  ${row}`),
    ];
  }

  private mark(step: StepView): string {
    if (step.state === "SUCCEEDED") return this.out.paint("✓", "green");
    if (step.state === "FAILED" || step.state === "CANCELLED") return this.out.paint("✗", "red");
    if (step.state === "PENDING") return this.out.paint("·", "dim");
    if (step.state === "SKIPPED") return this.out.paint("–", "dim");
    // A review waits for a person, not a worker: no spinner.
    if (step.state === "AWAITING_APPROVAL") return this.out.paint("?", "yellow");
    return this.out.paint(spinner[this.frame % spinner.length]!, "cyan");
  }
}

/** One line per change, for logs and pipes: `[ 1.2s] ocr OCR ACKED (attempt 1)`. */
export class PlainProgress implements ProgressDisplay {
  private readonly seen = new Map<string, string>();

  /** @param started what the `[time]` prefix counts from */
  constructor(
    private readonly out: Output,
    private readonly started = Date.now(),
  ) {}

  update(job: JobView): void {
    this.report(
      "job",
      job.state,
      () => `job ${job.job_id} ${job.state}${job.waiting_for?.kind === "review" ? `, waiting for ${job.waiting_for.description}` : ""}`,
    );
    this.steps(job);
  }

  /** Steps first, so the job's end is the last line. */
  finish(job: JobView): void {
    this.steps(job);
    this.line(`job ${job.job_id} ${job.state} in ${jobElapsed(job)}${job.error ? ` — ${job.error.code}: ${job.error.message}` : ""}`);
  }

  private steps(job: JobView): void {
    for (const step of job.steps ?? []) {
      // A step that has not started yet is not news.
      if (step.state === "PENDING" && step.attempt_no === 0) continue;
      this.report(`step:${step.step_id}`, `${step.state}#${step.attempt_no}`, () => stepLine(step));
    }
  }

  private report(key: string, value: string, text: () => string): void {
    if (this.seen.get(key) === value) return;
    this.seen.set(key, value);
    this.line(text());
  }

  private line(text: string): void {
    this.out.line(`[${duration(Date.now() - this.started).padStart(6)}] ${text}`);
  }
}

function stepLine(step: StepView): string {
  const attempt = step.attempt_no > 0 ? ` (attempt ${step.attempt_no})` : "";
  const time = step.state === "SUCCEEDED" || step.state === "FAILED" ? ` in ${stepElapsed(step)}` : "";
  const error = step.error ? ` ${step.error.code}: ${step.error.message}` : "";
  return `${step.step_id} ${step.step_type} ${step.state}${attempt}${time}${error}`;
}
