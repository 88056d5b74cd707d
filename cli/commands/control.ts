import { positionalArgs } from "../args.js";
import { JobAction } from "../api-client.js";
import { ExitCode } from "../exit-codes.js";
import { printJob } from "../job-format.js";
import { exitCodeForJob, watchJob } from "../watch.js";
import type { Command } from "./command.js";

const verbs: Record<JobAction, string> = {
  cancel: "cancel a queued, running or paused job",
  pause: "pause a running job (nothing new is dispatched)",
  resume: "resume a paused job",
  redrive: "run a FAILED job again from its failed step",
};

function controlCommand(action: JobAction): Command {
  return {
    name: action,
    summary: verbs[action],
    usage: `${action} <job_id> [--watch]`,
    options: ["watch"],
    async run({ line, api, out }) {
      const [jobId] = positionalArgs(line, action, ["job_id"]);
      const answer = await api.control(jobId!, action);
      if (!line.values.watch) {
        out.result(answer, () => out.line(`job ${answer.job_id}: ${action} accepted (now ${answer.status})`));
        return ExitCode.ok;
      }
      if (!line.json) out.line(`job ${answer.job_id}: ${action} accepted (now ${answer.status})`);
      const job = await watchJob(api, jobId!, out);
      out.result(job, () => {
        out.line("");
        printJob(out, job);
      });
      return exitCodeForJob(job);
    },
  };
}

export const controlCommands: Command[] = Object.values(JobAction).map(controlCommand);
