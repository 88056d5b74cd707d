/**
 * Versions of the job orchestration. An instance keeps the version it was
 * created with (host.json `extensions.durableTask.defaultVersion` at the time,
 * read back as `context.df.version`), so code that changes what the
 * orchestrator schedules branches on it while older instances drain (see the
 * runbook). host.json's `defaultVersion` must name {@link currentJobOrchestrationVersion}.
 */
export const JobOrchestrationVersions = {
  /** Instances created before versioning (no version): they run the v1 code. */
  unversioned: "",
  v1: "1",
  /**
   * A step's success is not settled by an activity of its own: the next step's
   * `beginAttempt` (or the job's `finishJob`) carries it and writes it in its batch,
   * so a 3-step job schedules three activities and three ledger writes fewer.
   */
  v2: "2",
  /**
   * `beginAttempt` publishes the directive it opens (a failed publish falls back to
   * `publishMessage` with its retries), and the attempt's ACK stays in the ledger: the
   * orchestration reads it back when its ACK timer fires instead of waking for it. A
   * 3-step job runs three activities and three external events fewer.
   */
  v3: "3",
  /**
   * REVIEW steps run inside the orchestration: `openReview` stops the job for a person (or skips
   * the step), then the orchestration waits for the review event, the cancel event or the
   * review's timeout (`decideReview`). Earlier versions never schedule these.
   */
  v4: "4",
  /**
   * `startJob` opens the first step's first attempt and publishes its directive in the batch
   * that starts the job, so a job schedules one `beginAttempt`, one episode and one ledger
   * write fewer. Earlier versions open every attempt with `beginAttempt`.
   */
  v5: "5",
} as const;
export type JobOrchestrationVersion = (typeof JobOrchestrationVersions)[keyof typeof JobOrchestrationVersions];

/** What new instances are created with. */
export const currentJobOrchestrationVersion: JobOrchestrationVersion = JobOrchestrationVersions.v5;

/** Whether an instance of this version hands a step's success to the activity after it (v2 on). */
export function carriesSettlements(version: string): boolean {
  return version !== JobOrchestrationVersions.unversioned && version !== JobOrchestrationVersions.v1;
}

/** Whether an instance of this version has `beginAttempt` publish and keeps ACKs in the ledger (v3 on). */
export function dispatchesWithAttempt(version: string): boolean {
  return carriesSettlements(version) && version !== JobOrchestrationVersions.v2;
}

/** Whether an instance of this version runs REVIEW steps itself (v4 on). */
export function runsReviews(version: string): boolean {
  return dispatchesWithAttempt(version) && version !== JobOrchestrationVersions.v3;
}

/** Whether an instance of this version has `startJob` open the first attempt (v5 on). */
export function startsWithDispatch(version: string): boolean {
  return runsReviews(version) && version !== JobOrchestrationVersions.v4;
}
