import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { ApiClient } from "../cli/api-client.js";
import { declaredContentType } from "../cli/content-type.js";
import { CliError } from "../cli/errors.js";
import { ExitCode } from "../cli/exit-codes.js";
import { printJob } from "../cli/job-format.js";
import { printJobOutputs, readJobOutputs } from "../cli/job-outputs.js";
import { duration, Output } from "../cli/output.js";
import { defaultOutputFolder, storageFromClient, uploadInput } from "../cli/storage.js";
import { watchJob } from "../cli/watch.js";
import { apiKeyHash } from "../lib/auth/index.js";
import { AppSettingNames } from "../lib/config/names.js";
import { packageRoot } from "../lib/paths.js";
import { workerEntryPaths } from "../workers/entries.js";
import { packageMainFiles } from "./cli-args.js";
import { defaultComponents } from "./default-components.js";
import { startDevHost, type DevHost } from "./host.js";
import { LogLevel } from "./log.js";

/** The document the demo sends unless given another (`npm run demo -- <file>`): a scanned invoice shipped in the repository. */
export const demoDocument = join(packageRoot, "samples", "invoice.png");
const demoTenant = "demo";
/** The whole demo gives up after this long. @default 110 s (the promise is "well within 2 minutes") */
const deadlineMs = 110_000;

/**
 * `npm run demo`: devhost in this process (in-memory Azurite, so nothing is left behind) with the
 * orchestrator and the OCR/EMBEDDING/SIS workers; the sample invoice uploaded and submitted as
 * OCR->EMBEDDING->SIS; progress while it runs; then what each step wrote.
 */
async function demo(out: Output, document: string): Promise<ExitCode> {
  const started = Date.now();
  const elapsed = () => out.paint(`[${duration(Date.now() - started).padStart(6)}]`, "dim");
  const appFiles = [...packageMainFiles(packageRoot), ...workerEntryPaths(packageRoot)];
  const missing = appFiles.filter((file) => !existsSync(file));
  if (missing.length > 0 || appFiles.length < 4)
    throw new CliError(`the app is not built (missing ${missing.join(", ") || "dist/functions"}); run npm run demo, which builds first`, ExitCode.usage);

  out.line(`${elapsed()} starting devhost: in-memory Azurite, Service Bus emulator, orchestrator, OCR/EMBEDDING/SIS workers`);
  const apiKey = randomBytes(24).toString("base64url");
  let host: DevHost | undefined;
  const stop = async () => {
    const running = host;
    host = undefined;
    await running?.stop();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  try {
    host = await startDevHost({
      appFiles,
      port: 0,
      azurite: "memory",
      taskHub: "demo",
      hostJsonPath: join(packageRoot, "host.json"),
      components: await defaultComponents(join(packageRoot, "host.json")),
      logLevel: LogLevel.error,
      env: { [AppSettingNames.apiKeys]: JSON.stringify([{ name: "demo", sha256: apiKeyHash(apiKey), tenants: [demoTenant] }]) },
    });
    out.line(`${elapsed()} devhost serves ${host.url}`);
    const api = new ApiClient({ baseUrl: host.url, apiKey });
    const storage = storageFromClient(BlobServiceClient.fromConnectionString(host.connectionString), "devhost's Azurite");

    const bytes = readDocument(document);
    const contentType = declaredContentType(document, bytes, undefined);
    const input = await uploadInput(storage, demoTenant, basename(document), bytes, contentType);
    out.line(`${elapsed()} uploaded ${relative(process.cwd(), document) || document} (${contentType}) → ${input}`);
    const { body } = await api.submit({
      tenant_id: demoTenant,
      request_type: "OCR->EMBEDDING->SIS",
      input_ref: { uri: input, content_type: contentType },
      output_ref: defaultOutputFolder(storage, demoTenant),
      payload: {
        steps: {
          ocr: { language_hint: "en", output_format: "TEXT" },
          embedding: { chunking: { max_tokens: 16, overlap_tokens: 4 }, normalize: true },
          sis: { prompt_set: "invoice", response_format: "JSON" },
        },
      },
      schema_version: "v1",
    });
    out.line(`${elapsed()} submitted OCR->EMBEDDING->SIS as job ${body.job_id}`);
    const job = await watchJob(api, body.job_id, out, { startedAt: started });
    if (job.state !== "SUCCEEDED") {
      out.line("");
      printJob(out, job);
      throw new CliError(`the demo job ended ${job.state}${job.error ? `: ${job.error.code}: ${job.error.message}` : ""}`, ExitCode.jobUnsuccessful);
    }
    out.line("");
    printJobOutputs(out, await readJobOutputs(storage, job));
    out.line("");
    out.line(`${elapsed()} done; stopping devhost`);
    return ExitCode.ok;
  } finally {
    await stop();
  }
}

function readDocument(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.usage);
  }
}

const out = new Output(false);
const timer = setTimeout(() => {
  out.stderr.write(`demo: error: gave up after ${deadlineMs / 1000} s\n`);
  process.exit(ExitCode.serverError);
}, deadlineMs);
timer.unref();
// npm runs the script from the package root; INIT_CWD is where `npm run demo -- <file>` was typed.
const given = process.argv[2];
const document = given ? resolve(process.env.INIT_CWD ?? process.cwd(), given) : demoDocument;
const code = await demo(out, document).catch((error: unknown) => {
  out.stderr.write(`demo: error: ${error instanceof Error ? error.message : String(error)}\n`);
  return error instanceof CliError ? error.exitCode : ExitCode.serverError;
});
// The OCR engine's worker thread and idle sockets must not keep the process alive.
process.stdout.write("", () => process.exit(code));
