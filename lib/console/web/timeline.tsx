import type { Job } from "./api.js";
import { terminalStates } from "./api.js";
import type { Attempt, StepTimeline } from "./attempts.js";
import { duration, ms } from "./format.js";
import { StateBadge } from "./state-badge.js";

/** A position on the job's time axis, in percent. */
type Scale = (at: number) => number;

function attemptLabel(a: Attempt, now: number): string {
  const parts = [`attempt ${a.attempt_no}`, duration((a.endedAt ?? now) - a.dispatchedAt)];
  if (a.ackedAt !== undefined) parts.push(`ACK after ${duration(a.ackedAt - a.dispatchedAt)}`);
  else if (a.endedAt !== undefined) parts.push("no ACK");
  if (a.lastHeartbeatAt !== undefined) parts.push(`last heartbeat ${duration(now - a.lastHeartbeatAt)} ago`);
  parts.push(a.outcome === "RETRY_WAIT" ? "retried" : (a.outcome ?? "running"));
  if (a.reason) parts.push(a.reason);
  if (a.backoffUntil !== undefined && a.endedAt !== undefined) parts.push(`backoff ${duration(a.backoffUntil - a.endedAt)}`);
  return parts.join(", ");
}

function AttemptBar({ attempt, scale, now }: { attempt: Attempt; scale: Scale; now: number }) {
  const left = scale(attempt.dispatchedAt);
  const right = scale(attempt.endedAt ?? now);
  const label = attemptLabel(attempt, now);
  const outcome = (attempt.outcome ?? "running").toLowerCase().replace("_", "-");
  return (
    <>
      <div
        class={`bar bar-${outcome}`}
        style={{ left: `${left}%`, width: `${Math.max(right - left, 0.6)}%` }}
        data-attempt={attempt.attempt_no}
        data-outcome={attempt.outcome ?? "RUNNING"}
        title={label}
      >
        {attempt.ackedAt !== undefined && <span class="mark mark-ack" style={{ left: `${markAt(attempt, attempt.ackedAt, scale, now)}%` }} data-mark="ack" />}
        {attempt.lastHeartbeatAt !== undefined && (
          <span class="mark mark-heartbeat" style={{ left: `${markAt(attempt, attempt.lastHeartbeatAt, scale, now)}%` }} data-mark="heartbeat" />
        )}
      </div>
      {attempt.backoffUntil !== undefined && attempt.endedAt !== undefined && (
        <div
          class="backoff"
          style={{ left: `${right}%`, width: `${Math.max(scale(attempt.backoffUntil) - right, 0.3)}%` }}
          title={`backoff ${duration(attempt.backoffUntil - attempt.endedAt)}`}
        />
      )}
      <span class="visually-hidden">{label}. </span>
    </>
  );
}

/** Where an instant falls inside an attempt's bar, in percent of the bar. */
function markAt(attempt: Attempt, at: number, scale: Scale, now: number): number {
  const left = scale(attempt.dispatchedAt);
  const width = Math.max(scale(attempt.endedAt ?? now) - left, 0.6);
  return Math.min(100, Math.max(0, ((scale(at) - left) / width) * 100));
}

/** The job's steps on one time axis: a row per step, a bar per attempt from dispatch to outcome. */
export function Timeline({ job, timelines, now }: { job: Job; timelines: StepTimeline[]; now: number }) {
  const start = ms(job.created_at);
  const ends = timelines.flatMap((t) => t.attempts.map((a) => a.backoffUntil ?? a.endedAt ?? now));
  const end = Math.max(terminalStates.has(job.state) ? ms(job.completed_at ?? job.updated_at) : now, ...ends, start + 1);
  const scale: Scale = (at) => Math.min(100, Math.max(0, ((at - start) / (end - start)) * 100));
  return (
    <div class="timeline">
      <p class="axis">
        <span>{duration(0)}</span>
        <span>{duration(end - start)}</span>
      </p>
      <ol class="steps">
        {timelines.map(({ step, attempts }) => (
          <li class="step" data-step-id={step.step_id} data-attempts={attempts.length}>
            <div class="step-name">
              <strong>{step.step_id}</strong> <span class="muted">{step.step_type}</span> <StateBadge state={step.state} />
              <span class="muted">
                {" "}
                {attempts.length} attempt{attempts.length === 1 ? "" : "s"}
                {step.max_attempts ? ` of ${step.max_attempts}` : ""}
              </span>
            </div>
            <div class="track">
              {attempts.map((attempt) => (
                <AttemptBar attempt={attempt} scale={scale} now={now} />
              ))}
            </div>
          </li>
        ))}
      </ol>
      <p class="legend muted">
        <span class="mark-key mark-ack" /> ACK <span class="mark-key mark-heartbeat" /> latest heartbeat <span class="mark-key backoff-key" /> backoff before a
        retry
      </p>
    </div>
  );
}
