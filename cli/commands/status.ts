import { positionalArgs } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { printJob } from "../job-format.js";
import type { Command } from "./command.js";

export const statusCommand: Command = {
  name: "status",
  summary: "a job with its steps",
  usage: "status <job_id>",
  options: [],
  async run({ line, api, out }) {
    const [jobId] = positionalArgs(line, "status", ["job_id"]);
    const job = await api.job(jobId!);
    out.result(job, () => printJob(out, job));
    return ExitCode.ok;
  },
};
