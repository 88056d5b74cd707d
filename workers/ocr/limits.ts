import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/** One engine serves every tenant: an image too large to decode is refused from its stated size, before any allocation. */
export function checkPixels(size: { width: number; height: number }, maxPixels: number, what: string): void {
  const pixels = size.width * size.height;
  if (pixels <= maxPixels) return;
  throw new WorkerError(WorkerErrorCode.inputTooLarge, `${what} is ${size.width} × ${size.height} pixels (${pixels}); OCR decodes at most ${maxPixels}`, {
    width: size.width,
    height: size.height,
    pixels,
    limit: maxPixels,
  });
}

/** A document over the page limit is refused from its page count, before any page is rendered. */
export function checkPageCount(count: number, maxPages: number, what: string): void {
  if (count <= maxPages) return;
  throw new WorkerError(WorkerErrorCode.inputTooLarge, `The ${what} has ${count} pages; OCR reads at most ${maxPages}`, { pages: count, limit: maxPages });
}
