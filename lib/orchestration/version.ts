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
} as const;
export type JobOrchestrationVersion = (typeof JobOrchestrationVersions)[keyof typeof JobOrchestrationVersions];

/** What new instances are created with. */
export const currentJobOrchestrationVersion: JobOrchestrationVersion = JobOrchestrationVersions.v1;
