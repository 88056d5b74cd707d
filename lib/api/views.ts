import type { Job, LedgerEvent, Step } from "../ledger/index.js";

/** Links a client follows from a job; relative to the API root. */
export function jobLinks(jobId: string): Record<string, string> {
  const self = `/v1/jobs/${encodeURIComponent(jobId)}`;
  return { self, steps: `${self}/steps`, events: `${self}/events` };
}

function withoutEtag<T extends { etag: string }>(entity: T): Omit<T, "etag"> {
  const { etag: _etag, ...rest } = entity;
  return rest;
}

export function jobView(job: Job, steps?: Step[]): Record<string, unknown> {
  return {
    ...withoutEtag(job),
    ...(steps ? { steps: steps.map(stepView) } : {}),
    links: jobLinks(job.job_id),
  };
}

export function stepView(step: Step): Record<string, unknown> {
  return withoutEtag(step);
}

export function eventView(event: LedgerEvent): Record<string, unknown> {
  return { ...event };
}
