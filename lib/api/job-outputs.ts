import type { HttpResponseInit } from "@azure/functions";
import type { Caller } from "../auth/index.js";
import { pagesFileUri, type Analysis, type EmbeddedChunk, type OcrJson, type OcrPagesFile, type PageSummary } from "../contracts/step-outputs.js";
import { ProblemError, ProblemType } from "../http/problem.js";
import { jsonResponse } from "../http/responses.js";
import type { Ledger } from "../ledger/index.js";
import { isRefError, RefErrorCode, type RefStore } from "../refs/index.js";
import { callersJob } from "./jobs.js";

/** The SIS worker's analysis.json (offline fields; engine and summary also come from a model). */
export type SisAnalysis = Partial<Analysis> & { engine?: string; summary?: string };

/** What a job's steps wrote, read back from the blobs their `output_ref`s name. */
export interface JobOutputs {
  /** `pages` and `mean_confidence` (0..1) when the OCR worker wrote them (always, since it reads pages). */
  ocr?: { uri: string; text: string; lines: number; pages?: PageSummary[]; mean_confidence?: number };
  embedding?: { uri: string; chunks: number; dimension: number };
  sis?: { uri: string; analysis: SisAnalysis };
}

/** The fields of a step the reading needs (a ledger step and the CLI's view of one both have them). */
export interface OutputStep {
  step_type: string;
  state: string;
  output_ref?: unknown;
}

/** A blob's bytes, or undefined when it does not exist. */
export type ReadBlob = (uri: string) => Promise<Buffer | undefined>;

/** A ref as a plain URI (refs are a string or `{ uri, … }`). */
export function refText(ref: unknown): string {
  if (typeof ref === "string") return ref;
  if (ref && typeof ref === "object" && typeof (ref as { uri?: unknown }).uri === "string") return (ref as { uri: string }).uri;
  return "";
}

/** Reads the OCR text, the embedding rows and the SIS analysis of every step that produced one. */
export async function readJobOutputs(steps: readonly OutputStep[], read: ReadBlob): Promise<JobOutputs> {
  const outputs: JobOutputs = {};
  for (const step of steps) {
    const uri = refText(step.output_ref);
    if (!uri || step.state !== "SUCCEEDED") continue;
    const bytes = await read(uri);
    if (!bytes) continue;
    const text = bytes.toString("utf8");
    if (step.step_type === "OCR") {
      const json = uri.endsWith(".json") ? (JSON.parse(text) as OcrJson) : undefined;
      const body = json ? json.text : text;
      const pagesFile = json ? undefined : await read(pagesFileUri(uri));
      const summary: Partial<OcrPagesFile> | undefined = json ?? (pagesFile ? (JSON.parse(pagesFile.toString("utf8")) as OcrPagesFile) : undefined);
      outputs.ocr = {
        uri,
        text: body,
        lines: body.split("\n").filter((l) => l.trim() !== "").length,
        ...(summary?.pages ? { pages: summary.pages.map(({ page, confidence, text_layer }) => ({ page, confidence, text_layer })) } : {}),
        ...(typeof summary?.mean_confidence === "number" ? { mean_confidence: summary.mean_confidence } : {}),
      };
    } else if (step.step_type === "EMBEDDING") {
      const rows = text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as EmbeddedChunk);
      outputs.embedding = { uri, chunks: rows.length, dimension: rows[0]?.vector.length ?? 0 };
    } else if (step.step_type === "SIS" && uri.endsWith(".json")) {
      outputs.sis = { uri, analysis: JSON.parse(text) as SisAnalysis };
    }
  }
  return outputs;
}

/**
 * GET /v1/jobs/{job_id}/outputs: what `lucius outputs` shows, for callers without access to the
 * storage account (the console). Reads go through a store scoped to the job's tenant, so a step's
 * output_ref outside that tenant's places is refused before any request.
 */
export async function getJobOutputs(jobId: string, ledger: Ledger, caller: Caller, refs: RefStore): Promise<HttpResponseInit> {
  const job = await callersJob(ledger, caller, jobId, { withSteps: true });
  const scoped = refs.forJob({ tenant_id: job.tenant_id, job_id: job.job_id });
  try {
    const outputs = await readJobOutputs(job.steps ?? [], (uri) => scoped.readIfExists(uri));
    return jsonResponse(200, { job_id: job.job_id, state: job.state, outputs });
  } catch (error) {
    if (isRefError(error) && (error.code === RefErrorCode.accessDenied || error.code === RefErrorCode.inputUnreachable)) {
      throw new ProblemError({ type: ProblemType.unavailable, title: "Outputs unavailable", status: 503, detail: error.message });
    }
    if (isRefError(error) || error instanceof SyntaxError) {
      throw new ProblemError({
        type: ProblemType.conflict,
        title: "Outputs unreadable",
        status: 409,
        detail: `A step's output could not be read as its worker writes it: ${error.message}`,
      });
    }
    throw error;
  }
}
