import { intOption, positionalArgs } from "../args.js";
import type { JobView } from "../api-client.js";
import { ExitCode } from "../exit-codes.js";
import { jobElapsed } from "../job-format.js";
import { table } from "../output.js";
import { defaultTenant } from "./submit.js";
import type { Command } from "./command.js";

/** The API's largest page. */
const maxLimit = 200;

export const jobsCommand: Command = {
  name: "jobs",
  summary: "a tenant's jobs, newest first",
  usage: "jobs [--tenant ID] [--state S] [--limit N] [--all]",
  options: ["tenant", "state", "limit", "all"],
  async run({ line, api, out, env }) {
    positionalArgs(line, "jobs", []);
    const tenant = line.values.tenant ?? env.LUCIUS_TENANT ?? defaultTenant;
    const limit = intOption(line.values.limit, "limit", 1, maxLimit);
    const jobs: JobView[] = [];
    let continuation: string | undefined;
    do {
      const page = await api.jobs({
        tenant_id: tenant,
        ...(line.values.state ? { state: line.values.state } : {}),
        ...(limit !== undefined ? { limit } : line.values.all ? { limit: maxLimit } : {}),
        ...(continuation ? { continuation } : {}),
      });
      jobs.push(...page.jobs);
      continuation = page.continuation;
    } while (line.values.all && continuation);
    out.result({ tenant_id: tenant, jobs, ...(continuation ? { continuation } : {}) }, () => {
      if (jobs.length === 0) return out.line(`no jobs for tenant ${tenant}${line.values.state ? ` in state ${line.values.state}` : ""}`);
      out.line(
        table(
          jobs.map((j) => [j.job_id, out.state(j.state), j.request_type, j.created_at, jobElapsed(j)]),
          ["JOB", "STATE", "REQUEST", "CREATED", "TIME"],
        ),
      );
      if (continuation) out.line(`(more jobs: --all lists every page)`);
    });
    return ExitCode.ok;
  },
};
