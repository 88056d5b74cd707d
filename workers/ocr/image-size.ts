import { DocumentKind } from "../../lib/worker-kit.js";

/** The kinds that are raster images. */
export type ImageKind = typeof DocumentKind.png | typeof DocumentKind.jpeg | typeof DocumentKind.tiff;

/** An image's size as its header states it. */
export interface ImageSize {
  width: number;
  height: number;
}

/** TIFF pages looked at; a file with more is judged by the largest of these. */
const maxTiffPages = 64;

/**
 * Width and height from the header alone (PNG IHDR, JPEG SOFn, TIFF IFD tags 256/257), without
 * decoding a pixel: the pixel limit must hold before the decoder allocates anything. Undefined
 * when the header does not say (a truncated or damaged file).
 */
export function imageSize(bytes: Buffer, type: ImageKind): ImageSize | undefined {
  try {
    if (type === DocumentKind.png) return pngSize(bytes);
    if (type === DocumentKind.jpeg) return jpegSize(bytes);
    return tiffSize(bytes);
  } catch (error) {
    if (error instanceof RangeError) return undefined; // read past the end: the header is cut short
    throw error;
  }
}

function pngSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** SOF markers (baseline, progressive, lossless, arithmetic); C4, C8 and CC are other segments. */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegSize(bytes: Buffer): ImageSize | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    if (isStartOfFrame(marker)) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return undefined;
}

function tiffSize(bytes: Buffer): ImageSize | undefined {
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  let largest: ImageSize | undefined;
  let ifd = u32(4);
  for (let page = 0; page < maxTiffPages && ifd !== 0; page++) {
    const entries = u16(ifd);
    let width: number | undefined;
    let height: number | undefined;
    for (let i = 0; i < entries; i++) {
      const entry = ifd + 2 + i * 12;
      const tag = u16(entry);
      if (tag !== 256 && tag !== 257) continue;
      const value = u16(entry + 2) === 3 ? u16(entry + 8) : u32(entry + 8); // SHORT or LONG
      if (tag === 256) width = value;
      else height = value;
    }
    if (width === undefined || height === undefined) return undefined;
    if (!largest || width * height > largest.width * largest.height) largest = { width, height };
    ifd = u32(ifd + 2 + entries * 12);
  }
  return largest;
}
