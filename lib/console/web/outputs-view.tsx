import type { JobOutputs } from "./api.js";

/** What the steps wrote, as `lucius outputs` prints it. */
export function OutputsView({ outputs }: { outputs: JobOutputs }) {
  const analysis = outputs.sis?.analysis;
  if (!outputs.ocr && !outputs.embedding && !analysis) return <p class="muted">No outputs yet.</p>;
  return (
    <div class="outputs">
      {outputs.ocr && (
        <section aria-labelledby="ocr-heading">
          <h3 id="ocr-heading">Recognised text (OCR, {ocrFacts(outputs.ocr)})</h3>
          {(outputs.ocr.pages ?? []).length > 0 ? (
            <p class="ocr-pages">
              {(outputs.ocr.pages ?? []).map((p) => `page ${p.page}: ${p.text_layer ? "text layer" : "OCR"}, confidence ${p.confidence.toFixed(2)}`).join("; ")}
            </p>
          ) : null}
          <pre class="ocr-text" tabIndex={0} aria-labelledby="ocr-heading">
            {outputs.ocr.text}
          </pre>
        </section>
      )}
      {outputs.embedding && (
        <p class="embedding">
          <strong>Embedding:</strong> {outputs.embedding.chunks} chunk{outputs.embedding.chunks === 1 ? "" : "s"} × {outputs.embedding.dimension} dimensions
        </p>
      )}
      {analysis && (
        <section aria-labelledby="sis-heading">
          <h3 id="sis-heading">
            Semantic analysis ({analysis.engine ?? "offline"}
            {analysis.language ? `, language ${analysis.language.code}` : ""})
          </h3>
          <dl class="analysis">
            <dt>Summary</dt>
            <dd>{(analysis.summary ?? "").replace(/\s+/g, " ").trim() || "(none)"}</dd>
            <dt>Keywords</dt>
            <dd>
              {(analysis.keywords ?? [])
                .slice(0, 8)
                .map((k) => k.term)
                .join(", ") || "(none)"}
            </dd>
            <dt>Amounts</dt>
            <dd class="amounts">{(analysis.amounts ?? []).map((a) => `${a.text} (${a.currency} ${a.value.toFixed(2)})`).join(", ") || "(none)"}</dd>
            <dt>Dates</dt>
            <dd>{(analysis.dates ?? []).map((d) => `${d.text} (${d.iso}${d.ambiguous ? ", ambiguous" : ""})`).join(", ") || "(none)"}</dd>
          </dl>
        </section>
      )}
    </div>
  );
}

/** Lines, pages and mean confidence, as `lucius outputs` words them. */
function ocrFacts(ocr: NonNullable<JobOutputs["ocr"]>): string {
  const pages = ocr.pages ?? [];
  return [
    `${ocr.lines} lines`,
    ...(pages.length > 0 ? [`${pages.length} page${pages.length === 1 ? "" : "s"}`] : []),
    ...(ocr.mean_confidence !== undefined ? [`mean confidence ${ocr.mean_confidence.toFixed(2)}`] : []),
  ].join(", ");
}
