import { createRequire } from "node:module";
import Tesseract from "tesseract.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { linesOf } from "./output.js";
import type { PageRecognizer, Recognized, RecognizeRequest } from "./pages.js";

/** The folder of the shipped English traineddata; tesseract reads it from disk, never the network. */
const langPath = (createRequire(import.meta.url)("@tesseract.js-data/eng") as { langPath: string }).langPath;

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

/**
 * One tesseract worker per process (creating one takes about half a second), used by one
 * recognition at a time. A CANCEL terminates the worker mid-recognition — tesseract cannot be
 * interrupted otherwise — and the next use creates a fresh one; so does a failed recognition.
 */
export class OcrEngine implements PageRecognizer {
  readonly engine = "tesseract.js";
  private worker: Promise<Tesseract.Worker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private onProgress: ((fraction: number) => void) | undefined;

  constructor(private readonly language = "eng") {}

  /** The page's text, lines (with `blocks`) and confidence, tesseract's 0–100 scaled to 0..1. */
  async recognize(image: Buffer, request: RecognizeRequest): Promise<Recognized> {
    const run = this.queue.then(() => this.recognizeNow(image, request));
    this.queue = run.catch(() => undefined);
    const page = await run;
    return { text: page.text, confidence: Math.max(0, Math.min(1, page.confidence / 100)), lines: request.blocks ? linesOf(page) : [] };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  private async recognizeNow(image: Buffer, options: RecognizeRequest): Promise<Tesseract.Page> {
    options.signal.throwIfAborted();
    const worker = await Promise.race([this.workerNow(), aborted(options.signal)]);
    const stop = () => void this.close();
    options.signal.addEventListener("abort", stop, { once: true });
    this.onProgress = options.onProgress;
    try {
      const job = worker.recognize(image, {}, { text: true, blocks: options.blocks });
      return (await Promise.race([job, aborted(options.signal)])).data;
    } catch (error) {
      if (options.signal.aborted) throw error;
      await this.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new WorkerError(WorkerErrorCode.unreadableDocument, `The image cannot be decoded: ${reason.replace(/^Error:\s*/, "")}`);
    } finally {
      options.signal.removeEventListener("abort", stop);
      this.onProgress = undefined;
    }
  }

  private workerNow(): Promise<Tesseract.Worker> {
    this.worker ??= Tesseract.createWorker(this.language, Tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: "none",
      logger: (m) => {
        if (m.status === "recognizing text") this.onProgress?.(m.progress);
      },
      // Without a handler tesseract.js rethrows a failed job's error outside the promise and crashes the process.
      errorHandler: () => undefined,
    }).catch((error: unknown) => {
      this.worker = undefined;
      throw new WorkerError(WorkerErrorCode.internal, `The OCR engine could not start: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.worker;
  }
}
