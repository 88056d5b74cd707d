import { createRequire } from "node:module";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { checkPixels } from "./limits.js";
import { rgbaToPng } from "./raster.js";

/** The part of utif2 used here. Its own typings are not imported: they pull in a second copy of Node's types. */
interface Ifd {
  [tag: string]: unknown;
  width: number;
  height: number;
}
interface Utif {
  decode(bytes: Buffer): Ifd[];
  decodeImage(bytes: Buffer, ifd: Ifd): void;
  toRGBA8(ifd: Ifd): Uint8Array;
}
const UTIF = createRequire(import.meta.url)("utif2") as Utif;

/** A TIFF's pages (IFDs) with their sizes from the tags, before any pixel is decoded. */
export interface TiffPages {
  count: number;
  size(page: number): { width: number; height: number };
  /** The page decoded (any compression utif2 reads) and re-encoded as PNG for the recognizer. */
  png(page: number): Buffer;
}

const tag = (ifd: Ifd, id: number): number | undefined => {
  const value = ifd[`t${id}`];
  return Array.isArray(value) && typeof value[0] === "number" ? value[0] : undefined;
};

export function openTiff(bytes: Buffer): TiffPages {
  let ifds: Ifd[];
  try {
    ifds = UTIF.decode(bytes).filter((ifd) => tag(ifd, 256) !== undefined && tag(ifd, 257) !== undefined);
  } catch (error) {
    throw new WorkerError(WorkerErrorCode.unreadableDocument, `The TIFF cannot be decoded: ${(error as Error).message}`);
  }
  if (ifds.length === 0) throw new WorkerError(WorkerErrorCode.unreadableDocument, "The TIFF has no page with a width and a height");
  const ifdOf = (page: number) => ifds[page - 1]!;
  return {
    count: ifds.length,
    size: (page) => ({ width: tag(ifdOf(page), 256)!, height: tag(ifdOf(page), 257)! }),
    png(page) {
      const ifd = ifdOf(page);
      try {
        UTIF.decodeImage(bytes, ifd);
        return rgbaToPng(UTIF.toRGBA8(ifd), ifd.width, ifd.height);
      } catch (error) {
        throw new WorkerError(WorkerErrorCode.unreadableDocument, `Page ${page} of the TIFF cannot be decoded: ${(error as Error).message}`);
      }
    },
  };
}

/** Checks every selected page's pixels before the first one is decoded. */
export function checkTiffPixels(tiff: TiffPages, pages: readonly number[], maxPixels: number): void {
  for (const page of pages) checkPixels(tiff.size(page), maxPixels, `Page ${page} of the TIFF`);
}
