import { useRef, useState } from "preact/hooks";
import { ApiProblem, controlJob, problemText, type Job, type JobAction } from "./api.js";

/** Which actions a state allows (lib/api/job-control.ts decides; the page only hides the hopeless ones). */
const allowed: Record<JobAction, ReadonlySet<string>> = {
  cancel: new Set(["QUEUED", "RUNNING", "PAUSED", "AWAITING_APPROVAL"]),
  pause: new Set(["RUNNING"]),
  resume: new Set(["PAUSED"]),
  redrive: new Set(["FAILED"]),
};

const questions: Record<JobAction, string> = {
  cancel: "Cancel this job? The worker is told to stop; the job ends CANCELLED.",
  pause: "Pause this job? Nothing new is dispatched until it is resumed.",
  resume: "Resume this job?",
  redrive: "Run this failed job again from its failed step?",
};

/**
 * Cancel, pause, resume and redrive where the job's state allows them, each confirmed in a
 * dialog first. A refusal shows the API's problem as it is (the state may have moved meanwhile).
 */
export function JobActions({ job, onDone }: { job: Job; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<JobAction | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; refused: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const ask = (action: JobAction) => {
    setPending(action);
    setMessage(undefined);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const answer = await controlJob(job.job_id, pending);
      setMessage({ text: `${pending} accepted: the job is ${answer.status}`, refused: false });
      onDone();
    } catch (error) {
      setMessage({ text: error instanceof ApiProblem ? problemText(error.problem, error.status) : String(error), refused: true });
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };

  const actions = (Object.keys(allowed) as JobAction[]).filter((action) => allowed[action].has(job.state));
  return (
    <div class="actions">
      {actions.length === 0 && <p class="muted">No action applies to a {job.state} job.</p>}
      {actions.map((action) => (
        <button type="button" class={`action action-${action}`} onClick={() => ask(action)} data-action={action}>
          {action[0]!.toUpperCase() + action.slice(1)}
        </button>
      ))}
      <div aria-live="polite">
        {message && (
          <p class={message.refused ? "problem" : "ok"} role={message.refused ? "alert" : "status"} data-refused={message.refused ? "true" : "false"}>
            {message.text}
          </p>
        )}
      </div>
      <dialog ref={dialog} aria-labelledby="confirm-heading" onClose={() => setPending(undefined)}>
        <h2 id="confirm-heading">{pending ? `${pending[0]!.toUpperCase()}${pending.slice(1)} job` : "Confirm"}</h2>
        <p>{pending ? questions[pending] : ""}</p>
        <p class="mono">{job.job_id}</p>
        <div class="dialog-buttons">
          <button type="button" onClick={confirm} disabled={busy} data-confirm="yes">
            Yes, {pending}
          </button>
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            No, keep it
          </button>
        </div>
      </dialog>
    </div>
  );
}
