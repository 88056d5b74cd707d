import { readJobOutputs as readStepOutputs, type JobOutputs } from "../lib/api/job-outputs.js";
import type { JobView } from "./api-client.js";
import type { Output } from "./output.js";
import type { CliStorage } from "./storage.js";

export type { JobOutputs, SisAnalysis } from "../lib/api/job-outputs.js";

/** Reads the OCR text, the embedding rows and the SIS analysis of every step that produced one, straight from storage. */
export function readJobOutputs(storage: CliStorage, job: JobView): Promise<JobOutputs> {
  return readStepOutputs(job.steps ?? [], (uri) => storage.refs.readIfExists(uri));
}

/** The readable summary `npm run demo` and `lucius outputs` print. */
export function printJobOutputs(out: Output, outputs: JobOutputs): void {
  const heading = (text: string) => out.line(out.paint(text, "bold"));
  if (outputs.ocr) {
    const { pages = [], mean_confidence: mean } = outputs.ocr;
    const facts = [
      `${outputs.ocr.lines} lines`,
      ...(pages.length > 0 ? [`${pages.length} page${pages.length === 1 ? "" : "s"}`] : []),
      ...(mean !== undefined ? [`mean confidence ${mean.toFixed(2)}`] : []),
    ];
    heading(`Recognised text (OCR, ${facts.join(", ")})`);
    // Pages are separated by a form feed; each gets its number and where its text came from.
    outputs.ocr.text.split("\f").forEach((pageText, i) => {
      const page = pages[i];
      if (page) out.line(out.paint(`  page ${page.page}: ${page.text_layer ? "text layer" : "OCR"}, confidence ${page.confidence.toFixed(2)}`, "dim"));
      for (const line of pageText.split("\n").filter((l) => l.trim() !== "")) out.line(`  ${line}`);
    });
  }
  if (outputs.embedding)
    heading(`Embedding: ${outputs.embedding.chunks} chunk${outputs.embedding.chunks === 1 ? "" : "s"} × ${outputs.embedding.dimension} dimensions`);
  const analysis = outputs.sis?.analysis;
  if (!analysis) return;
  heading(`Semantic analysis (${analysis.engine ?? "offline"}${analysis.language ? `, language ${analysis.language.code}` : ""})`);
  out.line(`  summary:  ${oneLine(analysis.summary ?? "")}`);
  out.line(
    `  keywords: ${
      (analysis.keywords ?? [])
        .slice(0, 8)
        .map((k) => k.term)
        .join(", ") || "(none)"
    }`,
  );
  out.line(`  amounts:  ${(analysis.amounts ?? []).map((a) => `${a.text} (${a.currency} ${a.value.toFixed(2)})`).join(", ") || "(none)"}`);
  out.line(`  dates:    ${(analysis.dates ?? []).map((d) => `${d.text} (${d.iso}${d.ambiguous ? ", ambiguous" : ""})`).join(", ") || "(none)"}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
