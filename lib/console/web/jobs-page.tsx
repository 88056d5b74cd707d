import { useState } from "preact/hooks";
import { ApiProblem, jobStates, listJobs, problemText, terminalStates, type Job } from "./api.js";
import { setTenant, tenant as storedTenant } from "./credentials.js";
import { age, span } from "./format.js";
import { usePolling } from "./polling.js";
import { jobHref, Link } from "./router.js";
import { StateBadge } from "./state-badge.js";

/** @default 25 jobs a page */
const pageSize = 25;
/** How often the list is read again while the tab is visible. */
const refreshMs = 2000;

/** A tenant's jobs, newest first: filtered by state, paged with the API's continuation tokens. */
export function JobsPage() {
  const [tenantId, setTenantId] = useState(storedTenant());
  const [tenantField, setTenantField] = useState(tenantId);
  const [state, setState] = useState("");
  const [jobs, setJobs] = useState<Job[] | undefined>(undefined);
  // Pages after the first, kept as loaded; the first page is read again on every refresh.
  const [older, setOlder] = useState<Job[]>([]);
  const [continuation, setContinuation] = useState<string | undefined>(undefined);
  const [olderContinuation, setOlderContinuation] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [, setNow] = useState(Date.now());

  usePolling(
    async () => {
      try {
        const page = await listJobs(tenantId, { limit: pageSize, ...(state ? { state } : {}) });
        setJobs(page.jobs);
        setContinuation(page.continuation);
        setError(undefined);
        setNow(Date.now());
      } catch (e) {
        if (!(e instanceof ApiProblem && e.status === 401)) setError(e instanceof ApiProblem ? problemText(e.problem, e.status) : String(e));
      }
    },
    refreshMs,
    true,
    [tenantId, state],
  );

  const more = async () => {
    const from = olderContinuation ?? continuation;
    if (!from) return;
    try {
      const page = await listJobs(tenantId, { limit: pageSize, continuation: from, ...(state ? { state } : {}) });
      setOlder((seen) => [...seen, ...page.jobs]);
      setOlderContinuation(page.continuation ?? "");
    } catch (e) {
      setError(e instanceof ApiProblem ? problemText(e.problem, e.status) : String(e));
    }
  };
  const reset = () => {
    setOlder([]);
    setOlderContinuation(undefined);
    setJobs(undefined);
  };

  const firstIds = new Set((jobs ?? []).map((j) => j.job_id));
  const shown = [...(jobs ?? []), ...older.filter((j) => !firstIds.has(j.job_id))];
  const hasMore = olderContinuation === undefined ? continuation !== undefined : olderContinuation !== "";

  return (
    <section aria-labelledby="jobs-heading">
      <h1 id="jobs-heading">Jobs</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const id = tenantField.trim();
          if (id === "") return;
          setTenant(id);
          setTenantId(id);
          reset();
        }}
      >
        <label>
          Tenant
          <input
            name="tenant"
            value={tenantField}
            onInput={(e) => setTenantField((e.target as HTMLInputElement).value)}
            autoComplete="off"
            spellcheck={false}
          />
        </label>
        <button type="submit">Show</button>
        <label>
          State
          <select
            name="state"
            value={state}
            onChange={(e) => {
              setState((e.target as HTMLSelectElement).value);
              reset();
            }}
          >
            <option value="">any</option>
            {jobStates.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      {jobs === undefined && !error && <p aria-live="polite">Loading…</p>}
      {jobs !== undefined && shown.length === 0 && (
        <p>
          No jobs for tenant {tenantId}
          {state ? ` in state ${state}` : ""}.
        </p>
      )}
      {shown.length > 0 && (
        <table class="jobs">
          <caption class="visually-hidden">Jobs of tenant {tenantId}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Protocol</th>
              <th scope="col">State</th>
              <th scope="col">Current step</th>
              <th scope="col">Age</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((job) => (
              <tr data-job-id={job.job_id}>
                <td>
                  <Link href={jobHref(job.job_id)} class="mono">
                    {job.job_id}
                  </Link>
                </td>
                <td>{job.protocol_id}</td>
                <td>
                  <StateBadge state={job.state} />
                </td>
                <td>{job.current_step_id ?? ""}</td>
                <td>{age(job.created_at)}</td>
                <td>{span(job.started_at ?? job.created_at, terminalStates.has(job.state) ? (job.completed_at ?? job.updated_at) : undefined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && (
        <button type="button" onClick={more}>
          Older jobs
        </button>
      )}
    </section>
  );
}
