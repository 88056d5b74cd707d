// Renders the sample invoice shipped in test/fixtures/documents/ with a 5×9 bitmap font of our
// own and writes it as an 8-bit grayscale PNG (zlib from node:zlib, no image library), plus a
// corrupt PNG that passes the magic-byte check but cannot be decoded.
//   node scripts/make-sample-document.mjs          write the fixtures
//   node scripts/make-sample-document.mjs --check  exit 1 when the committed files differ
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "test", "fixtures", "documents");

/** What the sample says; tests and the demo look for its amount, date and words. */
export const sampleLines = [
  "ACME Supply Co.",
  "INVOICE No. 2026-0042",
  "Date: March 3, 2026",
  "Bill to: Globex Corporation",
  "Consulting services for the quarter",
  "Total due: $1,234.56",
  "Payment is due within thirty days.",
];

// Each glyph is 9 rows of 5 columns: rows 0-6 sit on the baseline, rows 7-8 are descenders.
const glyphs = {
  A: [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  B: ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
  C: [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
  D: ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
  F: ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
  G: [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
  H: ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  I: [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  J: ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
  K: ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
  L: ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
  M: ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
  N: ["#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#"],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  Q: [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
  R: ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
  S: [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
  T: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
  U: ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  V: ["#...#", "#...#", "#...#", ".#.#.", ".#.#.", "..#..", "..#.."],
  W: ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
  X: ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
  Y: ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
  Z: ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
  a: [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
  b: ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."],
  c: [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."],
  d: ["....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"],
  e: [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
  f: ["..###", ".#...", ".#...", "####.", ".#...", ".#...", ".#..."],
  g: [".....", ".....", ".####", "#...#", "#...#", ".####", "....#", "#...#", ".###."],
  h: ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
  i: ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", "..##."],
  j: ["...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
  k: ["#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."],
  l: [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  m: [".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"],
  n: [".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
  o: [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."],
  p: [".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."],
  q: [".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"],
  r: [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."],
  s: [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
  t: [".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."],
  u: [".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"],
  v: [".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
  w: [".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."],
  x: [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
  y: [".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."],
  z: [".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"],
  0: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  1: ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  2: [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  3: ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
  4: ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  5: ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  6: ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
  7: ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  8: [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  9: [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
  ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
  ",": [".....", ".....", ".....", ".....", ".....", ".##..", ".##..", "..#..", ".#..."],
  ":": [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."],
  $: ["..#..", ".####", "#.#..", "#.#..", ".###.", "..#.#", "..#.#", "####.", "..#.."],
  "/": [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."],
  "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
  "#": [".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."],
  " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
};

const scale = 6; // screen pixels per font pixel
const advance = 6; // font pixels per character (5 + 1 gap)
const lineHeight = 13; // font pixels per line (9 + 4 leading)
const margin = 60; // screen pixels

/** Renders lines of text into an 8-bit grayscale raster (0 = black ink, 255 = paper). */
export function render(lines) {
  const columns = Math.max(...lines.map((l) => l.length));
  const width = margin * 2 + columns * advance * scale;
  const height = margin * 2 + lines.length * lineHeight * scale;
  const pixels = Buffer.alloc(width * height, 255);
  lines.forEach((line, row) => {
    [...line].forEach((char, col) => {
      const glyph = glyphs[char];
      if (!glyph) throw new Error(`no glyph for ${JSON.stringify(char)}`);
      glyph.forEach((bits, gy) => {
        [...bits].forEach((bit, gx) => {
          if (bit !== "#") return;
          const x0 = margin + (col * advance + gx) * scale;
          const y0 = margin + (row * lineHeight + gy) * scale;
          for (let y = y0; y < y0 + scale; y++) pixels.fill(0, y * width + x0, y * width + x0 + scale);
        });
      });
    });
  });
  return { width, height, pixels };
}

/**
 * Square font pixels read poorly (tesseract takes the steps for serifs), so the raster is
 * smoothed like print: a separable Gaussian blur, then a steep sigmoid that keeps edges crisp.
 */
export function smooth({ width, height, pixels }, sigma = 2) {
  const radius = Math.ceil(sigma * 2.5);
  const weights = Array.from({ length: radius * 2 + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const kernel = weights.map((w) => w / total);
  const clamp = (v, max) => Math.min(max - 1, Math.max(0, v));
  const across = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let i = -radius; i <= radius; i++) sum += pixels[y * width + clamp(x + i, width)] * kernel[i + radius];
      across[y * width + x] = sum;
    }
  }
  const out = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let i = -radius; i <= radius; i++) sum += across[clamp(y + i, height) * width + x] * kernel[i + radius];
      out[y * width + x] = Math.round(255 / (1 + Math.exp(-(sum - 128) / 12)));
    }
  }
  return { width, height, pixels: out };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A grayscale raster as PNG: IHDR (8-bit, colour type 0), one IDAT of filter-0 rows, IEND. */
export function encodePng({ width, height, pixels }) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(rows, y * (width + 1) + 1, y * width, (y + 1) * width);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Keeps the PNG signature and IHDR, so the type is recognised, but the image data is garbage. */
export function corruptPng(png) {
  const garbage = Buffer.alloc(256);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 73 + 41) & 0xff;
  return Buffer.concat([png.subarray(0, 33), chunk("IDAT", garbage), chunk("IEND", Buffer.alloc(0))]);
}

function main() {
  const png = encodePng(smooth(render(sampleLines)));
  const files = {
    "sample-invoice.png": png,
    "corrupt.png": corruptPng(png),
    "sample-invoice.txt": Buffer.from(sampleLines.join("\n") + "\n"),
  };
  const check = process.argv.includes("--check");
  let stale = false;
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(outDir, name);
    if (!check) writeFileSync(path, bytes);
    else if (!readFileSync(path).equals(bytes)) {
      console.error(`${name} is out of date: run node scripts/make-sample-document.mjs`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  if (!check) console.log(`wrote ${Object.keys(files).join(", ")} (${png.length} bytes of PNG)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
