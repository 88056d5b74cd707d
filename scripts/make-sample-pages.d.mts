// Types of what tests import from make-sample-pages.mjs.
import type { GrayRaster } from "./make-sample-document.mjs";
export interface PdfPage {
  width: number;
  height: number;
  content: string;
  image?: GrayRaster;
}
export const scanDpi: number;
export function pdfDocument(pages: PdfPage[], options?: { encrypt?: boolean }): Buffer;
export function textPage(lines: string[]): PdfPage;
export function scanPage(raster: GrayRaster): PdfPage;
export function tiffDocument(rasters: GrayRaster[]): Buffer;
export const tiffPageLines: string[][];
