// Writes the multi-page and PDF samples from the sample invoice's own text and bitmap font
// (scripts/make-sample-document.mjs), with no PDF or image library, so they are byte-for-byte
// reproducible:
//   samples/invoice-text.pdf     one page whose text is a PDF text layer (Helvetica, not embedded)
//   samples/invoice-scan.pdf     one page that is only the invoice raster (a scan: no text layer)
//   samples/invoice-2-pages.tiff the invoice split over two TIFF pages (8-bit gray, PackBits)
//   node scripts/make-sample-pages.mjs          write the samples
//   node scripts/make-sample-pages.mjs --check  exit 1 when the committed files differ
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { render, sampleLines, smooth } from "./make-sample-document.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The resolution the scanned pages claim; the OCR worker renders PDF pages at the same one. */
export const scanDpi = 200;

const pdfString = (text) => `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/**
 * A PDF from pages `{ width, height, content, image? }` (points; `content` is the page's content
 * stream; `image` a gray raster drawn as /Im1). `encrypt` adds a standard security handler whose
 * user password is not empty, so a reader cannot open the file without one.
 */
export function pdfDocument(pages, { encrypt = false } = {}) {
  const objects = []; // object n is objects[n - 1]
  const add = (body) => objects.push(body) && objects.length;
  const stream = (dict, data) =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, "latin1"), data, Buffer.from("\nendstream", "latin1")]);
  add(Buffer.from("<< /Type /Catalog /Pages 2 0 R >>"));
  add(Buffer.alloc(0)); // the page tree, written once the kids are known
  const font = add(Buffer.from("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"));
  const kids = [];
  for (const page of pages) {
    const content = add(stream("", Buffer.from(page.content, "latin1")));
    const image = page.image
      ? add(
          stream(
            `/Type /XObject /Subtype /Image /Width ${page.image.width} /Height ${page.image.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
            deflateSync(page.image.pixels, { level: 9 }),
          ),
        )
      : undefined;
    const resources = `/Font << /F1 ${font} 0 R >>${image ? ` /XObject << /Im1 ${image} 0 R >>` : ""}`;
    kids.push(
      add(Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Resources << ${resources} >> /Contents ${content} 0 R >>`)),
    );
  }
  objects[1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`);
  const encryption = encrypt ? add(Buffer.from(`<< /Filter /Standard /V 1 /R 2 /O <${"4f".repeat(32)}> /U <${"55".repeat(32)}> /P -4 >>`)) : undefined;
  const parts = [Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  const offsets = [];
  let at = parts[0].length;
  objects.forEach((body, i) => {
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from("\nendobj\n")]);
    offsets.push(at);
    parts.push(object);
    at += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, "0000000000 65535 f \n", ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`)].join("");
  const id = `<${"0123456789abcdef".repeat(2)}>`;
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encryption ? ` /Encrypt ${encryption} 0 R` : ""} /ID [${id} ${id}] >>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.concat([...parts, Buffer.from(xref + trailer, "latin1")]);
}

/** A US Letter page whose lines are a text layer. */
export function textPage(lines) {
  const body = lines.map((line, i) => `${i === 0 ? "72 720 Td" : "0 -22 Td"} ${pdfString(line)} Tj`).join("\n");
  return { width: 612, height: 792, content: `BT /F1 14 Tf\n${body}\nET` };
}

/** A page that is only a raster, sized as a scan at {@link scanDpi}. */
export function scanPage(raster) {
  const width = +((raster.width * 72) / scanDpi).toFixed(2);
  const height = +((raster.height * 72) / scanDpi).toFixed(2);
  return { width, height, content: `q ${width} 0 0 ${height} 0 0 cm /Im1 Do Q`, image: raster };
}

function packBits(row) {
  const out = [];
  let i = 0;
  while (i < row.length) {
    let run = 1;
    while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
    if (run >= 2) {
      out.push((1 - run) & 0xff, row[i]);
      i += run;
      continue;
    }
    const start = i++;
    while (i < row.length && i - start < 128 && !(i + 1 < row.length && row[i] === row[i + 1])) i++;
    out.push(i - start - 1, ...row.subarray(start, i));
  }
  return out;
}

/** A little-endian multi-page TIFF of gray rasters (one PackBits strip a page). */
export function tiffDocument(rasters) {
  const strips = rasters.map(({ width, height, pixels }) => {
    const bytes = [];
    for (let y = 0; y < height; y++) bytes.push(...packBits(pixels.subarray(y * width, (y + 1) * width)));
    return Buffer.from(bytes);
  });
  const tags = 9;
  const ifdSize = 2 + tags * 12 + 4;
  const parts = [Buffer.from("II*\0\0\0\0\0", "latin1")];
  let at = 8;
  const ifdAt = [];
  rasters.forEach((raster, i) => {
    ifdAt.push(at);
    at += ifdSize + strips[i].length;
  });
  parts[0].writeUInt32LE(ifdAt[0], 4);
  rasters.forEach(({ width, height }, i) => {
    const ifd = Buffer.alloc(ifdSize);
    ifd.writeUInt16LE(tags, 0);
    const entries = [
      [256, 4, width],
      [257, 4, height],
      [258, 3, 8],
      [259, 3, 32773],
      [262, 3, 1],
      [273, 4, ifdAt[i] + ifdSize],
      [277, 3, 1],
      [278, 4, height],
      [279, 4, strips[i].length],
    ];
    entries.forEach(([tag, type, value], e) => {
      const o = 2 + e * 12;
      ifd.writeUInt16LE(tag, o);
      ifd.writeUInt16LE(type, o + 2);
      ifd.writeUInt32LE(1, o + 4);
      if (type === 3) ifd.writeUInt16LE(value, o + 8);
      else ifd.writeUInt32LE(value, o + 8);
    });
    ifd.writeUInt32LE(ifdAt[i + 1] ?? 0, 2 + tags * 12);
    parts.push(ifd, strips[i]);
  });
  return Buffer.concat(parts);
}

/** The two halves of the invoice, as the pages of the TIFF sample. */
export const tiffPageLines = [sampleLines.slice(0, 4), sampleLines.slice(4)];

function main() {
  const files = {
    "invoice-text.pdf": pdfDocument([textPage(sampleLines)]),
    "invoice-scan.pdf": pdfDocument([scanPage(smooth(render(sampleLines)))]),
    "invoice-2-pages.tiff": tiffDocument(tiffPageLines.map((lines) => smooth(render(lines)))),
  };
  const check = process.argv.includes("--check");
  let stale = false;
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(root, "samples", name);
    if (!check) writeFileSync(path, bytes);
    else if (!readFileSync(path).equals(bytes)) {
      console.error(`samples/${name} is out of date: run node scripts/make-sample-pages.mjs`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  if (!check)
    console.log(
      `wrote ${Object.entries(files)
        .map(([name, bytes]) => `samples/${name} (${bytes.length} bytes)`)
        .join(", ")}`,
    );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
