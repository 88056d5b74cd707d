// Types of what tests import from make-sample-document.mjs.
export interface GrayRaster {
  width: number;
  height: number;
  /** 8-bit gray, row by row: 0 = black ink, 255 = paper. */
  pixels: Buffer;
}
export const sampleLines: string[];
export function render(lines: string[]): GrayRaster;
export function smooth(raster: GrayRaster, sigma?: number): GrayRaster;
export function encodePng(raster: GrayRaster): Buffer;
