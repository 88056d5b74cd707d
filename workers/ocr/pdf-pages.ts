import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist/types/src/display/api.js";
import type { RenderParameters, TextItem } from "pdfjs-dist/types/src/display/api.js";

type RenderCanvas = NonNullable<RenderParameters["canvas"]>;
type RenderContext = NonNullable<RenderParameters["canvasContext"]>;
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { checkPixels } from "./limits.js";

/** Scanned pages are rendered at this resolution for OCR (what a document scanner usually produces). @default 200 */
export const renderDpi = 200;

/** pdf.js's own metrics for the 14 standard fonts, read from disk (never fetched). */
const standardFontDataUrl = join(dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")), "standard_fonts") + "/";

/** An open PDF: its page count, each page's text layer, and a page rendered for OCR. */
export interface PdfPages {
  count: number;
  /** The page's text layer, lines in reading order; empty when the page has none (a scan). */
  textLayer(page: number): Promise<string>;
  /** The page rendered at {@link renderDpi} as PNG, after its size passed the pixel limit. */
  render(page: number, maxPixels: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** pdf.js is loaded on the first PDF: most inputs are images, and it costs a noticeable start-up. */
async function pdfjs() {
  return import("pdfjs-dist/legacy/build/pdf.mjs");
}

/** Opens a PDF; one that needs a password is NON_RETRYABLE `DOCUMENT_ENCRYPTED`, a broken one `UNREADABLE_DOCUMENT`. */
export async function openPdf(bytes: Buffer): Promise<PdfPages> {
  const { getDocument } = await pdfjs();
  let document: PDFDocumentProxy;
  try {
    // A copy: pdf.js takes over (detaches) the buffer it is given.
    document = await getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      standardFontDataUrl,
      verbosity: 0,
    }).promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "PasswordException") throw new WorkerError(WorkerErrorCode.documentEncrypted, "The PDF is encrypted and needs a password to open");
    throw new WorkerError(WorkerErrorCode.unreadableDocument, `The PDF cannot be read: ${(error as Error).message}`);
  }
  const page = async (n: number): Promise<PDFPageProxy> => {
    try {
      return await document.getPage(n);
    } catch (error) {
      throw new WorkerError(WorkerErrorCode.unreadableDocument, `Page ${n} of the PDF cannot be read: ${(error as Error).message}`);
    }
  };
  return {
    count: document.numPages,
    async textLayer(n) {
      const content = await (await page(n)).getTextContent();
      return textLines(content.items.filter((item): item is TextItem => "str" in item));
    },
    async render(n, maxPixels) {
      const proxy = await page(n);
      const viewport = proxy.getViewport({ scale: renderDpi / 72 });
      const size = { width: Math.ceil(viewport.width), height: Math.ceil(viewport.height) };
      checkPixels(size, maxPixels, `Page ${n} of the PDF at ${renderDpi} dpi`);
      const canvas = createCanvas(size.width, size.height);
      const context = canvas.getContext("2d");
      try {
        // @napi-rs/canvas implements the 2D context pdf.js draws on; its types are not the DOM's.
        await proxy.render({ canvas: canvas as unknown as RenderCanvas, canvasContext: context as unknown as RenderContext, viewport }).promise;
      } catch (error) {
        throw new WorkerError(WorkerErrorCode.unreadableDocument, `Page ${n} of the PDF cannot be rendered: ${(error as Error).message}`);
      }
      return canvas.toBuffer("image/png");
    },
    close: () => document.destroy(),
  };
}

/**
 * Text items grouped into lines by their baseline (top to bottom, then left to right), with a
 * space where two items on a line are apart by more than a fifth of the font size.
 */
function textLines(items: TextItem[]): string {
  const placed = items
    .filter((i) => i.str !== "")
    .map((i) => ({
      text: i.str,
      x: i.transform[4] as number,
      y: i.transform[5] as number,
      width: i.width,
      size: Math.hypot(i.transform[2] as number, i.transform[3] as number) || 1,
    }));
  placed.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Array<typeof placed> = [];
  for (const item of placed) {
    const line = lines.at(-1);
    if (line && Math.abs(line[0]!.y - item.y) < item.size / 2) line.push(item);
    else lines.push([item]);
  }
  return lines
    .map((line) => {
      line.sort((a, b) => a.x - b.x);
      let text = "";
      let end = -Infinity;
      for (const item of line) {
        if (text !== "" && !/\s$/.test(text) && !/^\s/.test(item.text) && item.x - end > item.size / 5) text += " ";
        text += item.text;
        end = item.x + item.width;
      }
      return text.trim();
    })
    .filter((l) => l !== "")
    .join("\n");
}
