import type { EmbeddedChunk } from "../workers/embedding/index.js";
import type { OcrJson } from "../workers/ocr/index.js";
import type { Analysis } from "../workers/sis/analyze.js";
import type { JobView } from "./api-client.js";
import { refText } from "./job-format.js";
import type { Output } from "./output.js";
import type { CliStorage } from "./storage.js";

/** The SIS worker's analysis.json (offline fields; engine and summary also come from a model). */
export type SisAnalysis = Partial<Analysis> & { engine?: string; summary?: string };

/** What a job's steps wrote, read back from the blobs their `output_ref`s name. */
export interface JobOutputs {
  ocr?: { uri: string; text: string; lines: number };
  embedding?: { uri: string; chunks: number; dimension: number };
  sis?: { uri: string; analysis: SisAnalysis };
}

/** Reads the OCR text, the embedding rows and the SIS analysis of every step that produced one. */
export async function readJobOutputs(storage: CliStorage, job: JobView): Promise<JobOutputs> {
  const outputs: JobOutputs = {};
  for (const step of job.steps ?? []) {
    const uri = refText(step.output_ref);
    if (!uri || step.state !== "SUCCEEDED") continue;
    const bytes = await storage.refs.readIfExists(uri);
    if (!bytes) continue;
    const text = bytes.toString("utf8");
    if (step.step_type === "OCR") {
      const body = uri.endsWith(".json") ? (JSON.parse(text) as OcrJson).text : text;
      outputs.ocr = { uri, text: body, lines: body.split("\n").filter((l) => l.trim() !== "").length };
    } else if (step.step_type === "EMBEDDING") {
      const rows = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as EmbeddedChunk);
      outputs.embedding = { uri, chunks: rows.length, dimension: rows[0]?.vector.length ?? 0 };
    } else if (step.step_type === "SIS" && uri.endsWith(".json")) {
      outputs.sis = { uri, analysis: JSON.parse(text) as SisAnalysis };
    }
  }
  return outputs;
}

/** The readable summary `npm run demo` and `lucius outputs` print. */
export function printJobOutputs(out: Output, outputs: JobOutputs): void {
  const heading = (text: string) => out.line(out.paint(text, "bold"));
  if (outputs.ocr) {
    heading(`Recognised text (OCR, ${outputs.ocr.lines} lines)`);
    for (const line of outputs.ocr.text.split("\n").filter((l) => l.trim() !== "")) out.line(`  ${line}`);
  }
  if (outputs.embedding) heading(`Embedding: ${outputs.embedding.chunks} chunk${outputs.embedding.chunks === 1 ? "" : "s"} × ${outputs.embedding.dimension} dimensions`);
  const analysis = outputs.sis?.analysis;
  if (!analysis) return;
  heading(`Semantic analysis (${analysis.engine ?? "offline"}${analysis.language ? `, language ${analysis.language.code}` : ""})`);
  out.line(`  summary:  ${oneLine(analysis.summary ?? "")}`);
  out.line(`  keywords: ${(analysis.keywords ?? []).slice(0, 8).map((k) => k.term).join(", ") || "(none)"}`);
  out.line(`  amounts:  ${(analysis.amounts ?? []).map((a) => `${a.text} (${a.currency} ${a.value.toFixed(2)})`).join(", ") || "(none)"}`);
  out.line(`  dates:    ${(analysis.dates ?? []).map((d) => `${d.text} (${d.iso}${d.ambiguous ? ", ambiguous" : ""})`).join(", ") || "(none)"}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
