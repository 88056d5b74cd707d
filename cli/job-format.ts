import type { JobView, StepView } from "./api-client.js";
import { elapsed, table, type Output } from "./output.js";

export const terminalJobStates: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const finishedStepStates: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED"]);

/** A ref as a plain URI (refs are a string or `{ uri, … }`). */
export function refText(ref: unknown): string {
  if (typeof ref === "string") return ref;
  if (ref && typeof ref === "object" && typeof (ref as { uri?: unknown }).uri === "string") return (ref as { uri: string }).uri;
  return "";
}

/** How long a step has run: from its dispatch to its end (or now). */
export function stepElapsed(step: StepView, now = Date.now()): string {
  return elapsed(step.dispatched_at, finishedStepStates.has(step.state) ? step.completed_at : undefined, now);
}

export function jobElapsed(job: JobView, now = Date.now()): string {
  return elapsed(job.created_at, terminalJobStates.has(job.state) ? job.completed_at : undefined, now);
}

/** `status`: the job, its steps and, when it failed, why. */
export function printJob(out: Output, job: JobView): void {
  out.line(`job       ${job.job_id}`);
  out.line(`state     ${out.state(job.state)}${job.completed_at || job.started_at ? ` (${jobElapsed(job)})` : ""}`);
  out.line(`request   ${job.request_type}   tenant ${job.tenant_id}`);
  out.line(`created   ${job.created_at}`);
  if (job.deadline) out.line(`deadline  ${job.deadline}`);
  if (job.waiting_for) out.line(`waiting   for ${job.waiting_for.description}${job.waiting_for.until ? ` (until ${job.waiting_for.until})` : ""}`);
  if (job.output_ref) out.line(`output    ${refText(job.output_ref)}`);
  if (job.error) out.line(`error     ${job.error.step_id ? `${job.error.step_id}: ` : ""}${job.error.code}: ${job.error.message}`);
  const steps = job.steps ?? [];
  if (steps.length === 0) return;
  out.line("");
  out.line(
    table(
      steps.map((s) => [
        s.step_id,
        s.step_type,
        out.state(s.state),
        s.attempt_no > 0 ? String(s.attempt_no) : "",
        stepElapsed(s),
        s.error ? `${s.error.code}: ${s.error.message}` : refText(s.output_ref),
      ]),
      ["STEP", "TYPE", "STATE", "ATTEMPT", "TIME", "OUTPUT / ERROR"],
    ),
  );
}
