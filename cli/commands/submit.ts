import { readFile } from "node:fs/promises";
import { ExitCode } from "../exit-codes.js";
import { ApiError, UsageError } from "../errors.js";
import { positionalArgs } from "../args.js";
import { declaredContentType } from "../content-type.js";
import { exitCodeForJob, watchJob } from "../watch.js";
import { printJob } from "../job-format.js";
import type { Command, CommandContext } from "./command.js";
import { parseDeadline } from "../deadline.js";

/** @default the full pipeline */
export const defaultRequestType = "OCR->EMBEDDING->SIS";
/** @default LUCIUS_TENANT, else "default" */
export const defaultTenant = "default";

export const submitCommand: Command = {
  name: "submit",
  summary: "submit a document (a local file is uploaded first) and optionally watch the job",
  usage:
    "submit <file|uri> [--request-type T] [--tenant ID] [--output URI] [--payload JSON|@file] [--idempotency-key K] [--deadline RFC3339|90s|10m] [--content-type T] [--storage CONN] [--watch]",
  options: ["request-type", "tenant", "output", "payload", "idempotency-key", "deadline", "content-type", "storage", "watch"],
  run,
};

async function run({ line, api, out, env }: CommandContext): Promise<ExitCode> {
  const [source] = positionalArgs(line, "submit", ["file|uri"]);
  const { values } = line;
  const payload = await readPayload(values.payload);
  // Parsed before anything is uploaded: a bad deadline costs nothing.
  const deadline = values.deadline === undefined ? undefined : parseDeadline(values.deadline);
  const isUri = /^https?:\/\//i.test(source!);
  const bytes = isUri ? undefined : await readLocal(source!);
  const needsStorage = !isUri || values.output === undefined;
  // The storage SDK is loaded only when a command needs it: it costs most of the CLI's start-up.
  const { defaultOutputFolder, deleteUpload, resolveStorage, storageRequired, uploadInput } = await import("../storage.js");
  const storage = needsStorage ? await resolveStorage(api, values.storage, env) : undefined;
  if (needsStorage && !storage) throw storageRequired(isUri ? "a default --output" : `uploading ${source}`);

  const contentType = bytes ? declaredContentType(source!, bytes, values["content-type"]) : values["content-type"];
  const tenantId = values.tenant ?? env.LUCIUS_TENANT ?? defaultTenant;
  let inputUri = source!;
  if (bytes) {
    inputUri = await uploadInput(storage!, tenantId, source!, bytes, contentType!);
    if (!line.json) out.line(`uploaded ${source} → ${inputUri}`);
  }
  const envelope = {
    tenant_id: tenantId,
    request_type: values["request-type"] ?? defaultRequestType,
    input_ref: contentType ? { uri: inputUri, content_type: contentType } : inputUri,
    output_ref: values.output ?? defaultOutputFolder(storage!, tenantId),
    payload,
    schema_version: "v1",
    ...(values["idempotency-key"] !== undefined ? { idempotency_key: values["idempotency-key"] } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
  };
  const { status, body } = await api.submit(envelope).catch(async (error: unknown) => {
    if (bytes && error instanceof ApiError && error.status < 500) await deleteUpload(storage!, inputUri);
    throw error;
  });
  const replayed = status === 200;
  if (!values.watch) {
    out.result({ ...body, replayed, input_ref: envelope.input_ref, output_ref: envelope.output_ref }, () =>
      out.line(`job ${body.job_id} ${body.status}${replayed ? " (idempotent replay: the existing job)" : ""}`),
    );
    return ExitCode.ok;
  }
  if (!line.json) out.line(`job ${body.job_id} ${replayed ? "(idempotent replay: the existing job)" : "submitted"}`);
  const job = await watchJob(api, body.job_id, out);
  out.result(job, () => {
    out.line("");
    printJob(out, job);
  });
  return exitCodeForJob(job);
}

/** `--payload` is inline JSON or `@file`; it must be an object. @default {} */
async function readPayload(raw: string | undefined): Promise<Record<string, unknown>> {
  if (raw === undefined) return {};
  const text = raw.startsWith("@") ? (await readLocal(raw.slice(1))).toString("utf8") : raw;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError("--payload must be a JSON object");
  return value as Record<string, unknown>;
}

async function readLocal(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `no such file: ${path} (give a file or an http(s) URI)` : `cannot read ${path}: ${(error as Error).message}`);
  }
}
