import { DefaultAzureCredential } from "@azure/identity";
import { answerJson, azureRequest, malformed, retryAfterMs, wait, type AzureService } from "../azure/request.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import type { DocumentIntelligenceSettings } from "../runtime/settings.js";
import type { Box, OcrLine, OcrWord } from "./output.js";
import type { PageRecognizer, Recognized, RecognizeRequest } from "./pages.js";

/** GA REST API version of Azure AI Document Intelligence. */
export const documentIntelligenceApiVersion = "2024-11-30";
/** The model that reads printed and handwritten text. */
export const readModel = "prebuilt-read";
/** Polling of one analysis gives up after this long (RETRYABLE). @default 5 min */
const maxAnalysisMs = 5 * 60_000;
/** Between polls when the service advertises no retry-after. @default 1 s */
const defaultPollMs = 1_000;

interface Span {
  offset: number;
  length: number;
}
interface DiWord {
  content: string;
  confidence: number;
  polygon?: number[];
  span: Span;
}
interface DiLine {
  content: string;
  polygon?: number[];
  spans: Span[];
}
interface DiPage {
  pageNumber: number;
  words?: DiWord[];
  lines?: DiLine[];
}

const box = (polygon: number[] | undefined): Box => {
  const xs = (polygon ?? []).filter((_, i) => i % 2 === 0);
  const ys = (polygon ?? []).filter((_, i) => i % 2 === 1);
  return xs.length ? { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) } : { x0: 0, y0: 0, x1: 0, y1: 0 };
};
const round = (n: number) => Math.round(n * 1000) / 1000;
const inside = (word: DiWord, line: DiLine) =>
  line.spans.some((s) => word.span.offset >= s.offset && word.span.offset + word.span.length <= s.offset + s.length);

/**
 * OCR of a page image by Azure AI Document Intelligence's `prebuilt-read` model: POST the image
 * to `…/documentModels/prebuilt-read:analyze`, then GET the `operation-location` it answers with
 * until the analysis has succeeded or failed, waiting as its retry-after says. The page's
 * confidence is the mean of its words' (0..1). Bearer tokens come from the managed identity.
 */
export class DocumentIntelligenceRecognizer implements PageRecognizer {
  readonly engine = `azure-document-intelligence:${readModel}`;
  private readonly service: AzureService;

  constructor(private readonly settings: DocumentIntelligenceSettings) {
    this.service = {
      name: `Azure AI Document Intelligence (${readModel})`,
      credential: settings.credential ?? new DefaultAzureCredential(),
      ...(settings.wait ? { wait: settings.wait } : {}),
    };
  }

  async recognize(image: Buffer, request: RecognizeRequest): Promise<Recognized> {
    const url = `${this.settings.endpoint}/documentintelligence/documentModels/${readModel}:analyze?api-version=${documentIntelligenceApiVersion}`;
    const started = await azureRequest(this.service, url, { method: "POST", body: image, contentType: "application/octet-stream" }, request.signal);
    const operation = started.headers.get("operation-location");
    if (started.status !== 202 || !operation) throw malformed(this.service, `answered HTTP ${started.status} without an operation-location to poll`);
    const page = await this.poll(operation, started, request);
    return this.recognized(page, request.blocks);
  }

  private async poll(operation: string, previous: { headers: Headers }, request: RecognizeRequest): Promise<DiPage> {
    const deadline = Date.now() + maxAnalysisMs;
    const pause = this.settings.wait ?? wait;
    let after = previous.headers;
    for (let polls = 0; ; polls++) {
      await pause(retryAfterMs(after) ?? defaultPollMs, request.signal);
      const answer = await azureRequest(this.service, operation, { method: "GET" }, request.signal);
      const body = answerJson(this.service, answer) as { status?: unknown; error?: { code?: string; message?: string }; analyzeResult?: { pages?: unknown } };
      if (body.status === "succeeded") {
        const pages = body.analyzeResult?.pages;
        if (!Array.isArray(pages) || pages.length === 0) throw malformed(this.service, "reported success without analyzeResult.pages");
        return pages[0] as DiPage;
      }
      if (body.status === "failed" || body.status === "canceled") {
        throw new WorkerError(
          WorkerErrorCode.modelRejected,
          `${this.service.name} could not analyse the page: ${body.error?.code ?? body.status}: ${body.error?.message ?? ""}`.trim(),
          { service_error: body.error?.code ?? null },
        );
      }
      if (body.status !== "running" && body.status !== "notStarted")
        throw malformed(this.service, `answered an analysis status of ${JSON.stringify(body.status)}`);
      request.onProgress?.(Math.min(0.9, (polls + 1) / 10));
      if (Date.now() > deadline)
        throw new WorkerError(WorkerErrorCode.modelUnavailable, `${this.service.name} had not finished the analysis after ${maxAnalysisMs / 1000} s`);
      after = answer.headers;
    }
  }

  private recognized(page: DiPage, blocks: boolean): Recognized {
    const words = Array.isArray(page.words) ? page.words : [];
    const lines = Array.isArray(page.lines) ? page.lines : [];
    if (
      words.some((w) => typeof w.content !== "string" || typeof w.confidence !== "number") ||
      lines.some((l) => typeof l.content !== "string" || !Array.isArray(l.spans))
    ) {
      throw malformed(this.service, "answered words or lines without their content, confidence or spans");
    }
    const confidence = words.length ? round(words.reduce((sum, w) => sum + w.confidence, 0) / words.length) : 0;
    const word = (w: DiWord): OcrWord => ({ text: w.content, confidence: round(w.confidence), bbox: box(w.polygon) });
    const ocrLines: OcrLine[] = blocks
      ? lines.map((line) => {
          const own = words.filter((w) => inside(w, line));
          return {
            text: line.content,
            confidence: own.length ? round(own.reduce((s, w) => s + w.confidence, 0) / own.length) : 0,
            bbox: box(line.polygon),
            words: own.map(word),
          };
        })
      : [];
    return { text: lines.map((l) => l.content).join("\n"), confidence, lines: ocrLines };
  }
}
