import { useState } from "preact/hooks";
import { ApiProblem, getEvents, getJob, getOutputs, problemText, terminalStates, type Job, type JobEvent, type JobOutputs } from "./api.js";
import { JobActions } from "./actions.js";
import { stepTimelines } from "./attempts.js";
import { clock, span } from "./format.js";
import { OutputsView } from "./outputs-view.js";
import { usePolling } from "./polling.js";
import { base, Link } from "./router.js";
import { StateBadge } from "./state-badge.js";
import { Timeline } from "./timeline.js";

/** How often a running job is read again while the tab is visible. */
const refreshMs = 1000;

function eventText(event: JobEvent): string {
  const d = event.details ?? {};
  if (typeof d.from === "string" && typeof d.to === "string") return `${d.from} → ${d.to}`;
  if (typeof d.to === "string") return `→ ${d.to}`;
  if (typeof d.reason === "string") return d.reason;
  return "";
}

/** A job: its state, actions, error, steps timeline, outputs and audit events. */
export function JobPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | undefined>(undefined);
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [outputs, setOutputs] = useState<JobOutputs | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [now, setNow] = useState(Date.now());
  const [tick, setTick] = useState(0);

  const finished = job !== undefined && terminalStates.has(job.state);
  usePolling(
    async () => {
      try {
        const [next, timeline] = await Promise.all([getJob(jobId), getEvents(jobId)]);
        setJob(next);
        setEvents(timeline);
        setNow(Date.now());
        setError(undefined);
        if ((next.steps ?? []).some((s) => s.state === "SUCCEEDED")) setOutputs((await getOutputs(jobId)).outputs);
      } catch (e) {
        if (!(e instanceof ApiProblem && e.status === 401)) setError(e instanceof ApiProblem ? problemText(e.problem, e.status) : String(e));
      }
    },
    refreshMs,
    !finished,
    [jobId, tick],
  );

  if (!job) {
    return (
      <section>
        <h1>Job {jobId}</h1>
        {error ? (
          <p class="problem" role="alert">
            {error}
          </p>
        ) : (
          <p aria-live="polite">Loading…</p>
        )}
        <p>
          <Link href={base}>Back to the jobs</Link>
        </p>
      </section>
    );
  }

  return (
    <article aria-labelledby="job-heading" data-job-state={job.state}>
      <p>
        <Link href={base}>← Jobs</Link>
      </p>
      <h1 id="job-heading">
        Job <span class="mono">{job.job_id}</span> <StateBadge state={job.state} />
      </h1>
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      <dl class="facts">
        <dt>Tenant</dt>
        <dd>{job.tenant_id}</dd>
        <dt>Protocol</dt>
        <dd>{job.protocol_id}</dd>
        <dt>Request type</dt>
        <dd>{job.request_type}</dd>
        <dt>Created</dt>
        <dd title={job.created_at}>{clock(job.created_at)}</dd>
        <dt>Duration</dt>
        <dd>{span(job.created_at, finished ? (job.completed_at ?? job.updated_at) : undefined, now)}</dd>
        {job.redrive_count ? (
          <>
            <dt>Redrives</dt>
            <dd>{job.redrive_count}</dd>
          </>
        ) : null}
      </dl>
      <section aria-labelledby="actions-heading">
        <h2 id="actions-heading">Actions</h2>
        <JobActions job={job} onDone={() => setTick((n) => n + 1)} />
      </section>
      {job.error && (
        <section aria-labelledby="error-heading" class="job-error">
          <h2 id="error-heading">Error</h2>
          <p>
            {job.error.step_id ? `${job.error.step_id}: ` : ""}
            <strong>{job.error.code}</strong>: {job.error.message}
          </p>
        </section>
      )}
      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading">Steps</h2>
        <Timeline job={job} timelines={stepTimelines(job, events)} now={now} />
      </section>
      <section aria-labelledby="outputs-heading">
        <h2 id="outputs-heading">Outputs</h2>
        {outputs ? <OutputsView outputs={outputs} /> : <p class="muted">No outputs yet.</p>}
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        <table class="events">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Event</th>
              <th scope="col">Step</th>
              <th scope="col">Attempt</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr>
                <td title={event.at}>{clock(event.at)}</td>
                <td>{event.type}</td>
                <td>{event.step_id ?? ""}</td>
                <td>{event.attempt_no ?? ""}</td>
                <td>{eventText(event)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}
