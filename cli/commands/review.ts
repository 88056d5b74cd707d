import { positionalArgs } from "../args.js";
import type { JobView } from "../api-client.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { table } from "../output.js";
import { defaultTenant } from "./submit.js";
import type { Command } from "./command.js";

/** The API's largest page. */
const maxLimit = 200;
const awaitingApproval = "AWAITING_APPROVAL";

/** `lucius review`: the tenant's review queue, every page. */
export const reviewCommand: Command = {
  name: "review",
  summary: "the jobs waiting for a review (approve or reject them)",
  usage: "review [--tenant ID]",
  options: ["tenant"],
  async run({ line, api, out, env }) {
    positionalArgs(line, "review", []);
    const tenant = line.values.tenant ?? env.LUCIUS_TENANT ?? defaultTenant;
    const jobs: JobView[] = [];
    let continuation: string | undefined;
    do {
      const page = await api.jobs({ tenant_id: tenant, state: awaitingApproval, limit: maxLimit, ...(continuation ? { continuation } : {}) });
      jobs.push(...page.jobs);
      continuation = page.continuation;
    } while (continuation);
    out.result({ tenant_id: tenant, jobs }, () => {
      if (jobs.length === 0) return out.line(`nothing to review for tenant ${tenant}`);
      out.line(
        table(
          jobs.map((j) => [j.job_id, j.current_step_id ?? "", j.request_type, j.created_at, j.deadline ?? ""]),
          ["JOB", "STEP", "REQUEST", "CREATED", "DEADLINE"],
        ),
      );
      out.line("(lucius approve|reject <job_id> [--comment TEXT])");
    });
    return ExitCode.ok;
  },
};

function decisionCommand(decision: "approve" | "reject"): Command {
  return {
    name: decision,
    summary: decision === "approve" ? "approve a step awaiting review: the job goes on" : "reject a step awaiting review: the job ends FAILED (REJECTED)",
    usage: `${decision} <job_id> [step_id] [--comment TEXT]`,
    options: ["comment"],
    async run({ line, api, out }) {
      if (line.positionals.length === 0) throw new UsageError(`${decision} needs <job_id>`);
      const [jobId, given] = line.positionals.length === 1 ? positionalArgs(line, decision, ["job_id"]) : positionalArgs(line, decision, ["job_id", "step_id"]);
      // Without a step id: the one the job is waiting on.
      const stepId = given ?? (await api.job(jobId!)).steps?.find((s) => s.state === awaitingApproval)?.step_id;
      if (!stepId) throw new UsageError(`job ${jobId} has no step awaiting review; name the step to be told why`);
      const answer = await api.decide(jobId!, stepId, decision, line.values.comment);
      const outcome = decision === "approve" ? `approved (now ${answer.status})` : "rejected (the job ends FAILED with REJECTED)";
      out.result({ ...answer, step_id: stepId, decision }, () => out.line(`job ${answer.job_id}: ${stepId} ${outcome}`));
      return ExitCode.ok;
    },
  };
}

export const decisionCommands: Command[] = [decisionCommand("approve"), decisionCommand("reject")];
