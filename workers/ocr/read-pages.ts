import { DocumentKind } from "../../lib/worker-kit.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { imageSize } from "./image-size.js";
import { checkPageCount, checkPixels } from "./limits.js";
import type { PageRecognizer, PageText } from "./pages.js";
import { selectPages } from "./page-selection.js";
import { openPdf } from "./pdf-pages.js";
import { checkTiffPixels, openTiff } from "./tiff-pages.js";

export interface ReadPagesOptions {
  recognizer: PageRecognizer;
  /** `page_range` of the payload. @default every page */
  pageRange?: string;
  /** Pages a document may have at most (the whole document, not the selection). */
  maxPages: number;
  /** Pixels a page may have at most, as stated by its header or at the render resolution. */
  maxPixels: number;
  /** Lines and words with boxes. */
  blocks: boolean;
  signal: AbortSignal;
  /** 0..1 over the whole document. */
  onProgress: (fraction: number, phase: string) => void;
}

/**
 * Every selected page's text, in page order: a text file as it is, an image through the
 * recognizer, each TIFF page through it in turn, and each PDF page from its text layer when it
 * has one (no OCR) or else rendered and recognised. Limits are checked before any decoding:
 * the page count first, then each page's pixels.
 */
export async function readPages(bytes: Buffer, kind: DocumentKind, options: ReadPagesOptions): Promise<PageText[]> {
  const { recognizer, blocks, signal } = options;
  const recognize = async (page: number, image: Buffer, done: number, total: number): Promise<PageText> => {
    const onProgress = (p: number) => options.onProgress((done + p) / total, "recognizing");
    const read = await recognizer.recognize(image, { blocks, signal, onProgress });
    return { page, text: read.text, confidence: read.confidence, text_layer: false, lines: read.lines };
  };

  if (kind === DocumentKind.text) {
    selectPages(options.pageRange, 1);
    const text = new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
    return [{ page: 1, text, confidence: 1, text_layer: true, lines: [] }];
  }
  if (kind === DocumentKind.png || kind === DocumentKind.jpeg) {
    selectPages(options.pageRange, 1);
    const size = imageSize(bytes, kind);
    if (!size) throw new WorkerError(WorkerErrorCode.unreadableDocument, `The ${kind.toUpperCase()} header does not state the image's size`);
    checkPixels(size, options.maxPixels, "The image");
    return [await recognize(1, bytes, 0, 1)];
  }
  if (kind === DocumentKind.tiff) {
    // The largest page by the header walk first: a bomb is refused before utif2 parses anything.
    const largest = imageSize(bytes, kind);
    if (!largest) throw new WorkerError(WorkerErrorCode.unreadableDocument, "The TIFF header does not state the image's size");
    checkPixels(largest, options.maxPixels, "The image");
    const tiff = openTiff(bytes);
    checkPageCount(tiff.count, options.maxPages, "TIFF");
    const pages = selectPages(options.pageRange, tiff.count);
    checkTiffPixels(tiff, pages, options.maxPixels);
    const out: PageText[] = [];
    for (const [i, page] of pages.entries()) {
      signal.throwIfAborted();
      out.push(await recognize(page, tiff.png(page), i, pages.length));
    }
    return out;
  }
  const pdf = await openPdf(bytes);
  try {
    checkPageCount(pdf.count, options.maxPages, "PDF");
    const pages = selectPages(options.pageRange, pdf.count);
    const out: PageText[] = [];
    for (const [i, page] of pages.entries()) {
      signal.throwIfAborted();
      const layer = await pdf.textLayer(page);
      if (layer.trim() !== "") {
        out.push({ page, text: layer, confidence: 1, text_layer: true, lines: [] });
        options.onProgress((i + 1) / pages.length, "text layer");
        continue;
      }
      options.onProgress(i / pages.length, "rendering");
      out.push(await recognize(page, await pdf.render(page, options.maxPixels), i, pages.length));
    }
    return out;
  } finally {
    await pdf.close();
  }
}
