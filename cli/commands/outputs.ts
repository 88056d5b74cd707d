import { positionalArgs } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { readJobOutputs, printJobOutputs } from "../job-outputs.js";
import type { Command } from "./command.js";

export const outputsCommand: Command = {
  name: "outputs",
  summary: "what a job's steps wrote: OCR text, chunks and dimension, summary, keywords, amounts, dates",
  usage: "outputs <job_id> [--storage CONN]",
  options: ["storage"],
  async run({ line, api, out, env }) {
    const [jobId] = positionalArgs(line, "outputs", ["job_id"]);
    const job = await api.job(jobId!);
    const { resolveStorage, storageRequired } = await import("../storage.js");
    const storage = await resolveStorage(api, line.values.storage, env);
    if (!storage) throw storageRequired("reading the outputs");
    const outputs = await readJobOutputs(storage, job);
    out.result({ job_id: job.job_id, state: job.state, outputs }, () => printJobOutputs(out, outputs));
    return ExitCode.ok;
  },
};
